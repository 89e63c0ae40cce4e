/** Whether any of these backups or restores is queued or running. */
export const busy = (jobs: Array<{ status: string }>) =>
  jobs.some((j) => j.status === 'queued' || j.status === 'running');

/** What a restore puts back: a backup, or the state of a moment. */
export type RestoreBody = { backup_id: number } | { point_in_time: string };

/** A restore asked for and not yet confirmed: what it puts back, and the request. */
export type Asked =
  { kind: 'restore'; what: string; body: RestoreBody } | { kind: 'fork'; backupId: number };
