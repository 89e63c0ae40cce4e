/**
 * How far an archive's stream has come, counted on the way: for a backup, the dump's bytes read
 * and the archive's bytes written; for a restore or a verification, the archive's bytes read.
 * The worker reports it every second (jobs/progress.ts) for the dashboard's progress bar.
 */
export class ByteProgress {
  read = 0;
  written = 0;
}
