const DAY_MS = 24 * 3600_000;

/** One backup as the retention rule sees it. */
export interface RetentionRow {
  number: number;
  status: 'queued' | 'running' | 'done' | 'failed' | 'deleted';
  triggeredAt: Date;
  /** a restore of this backup is queued or running */
  beingRestored?: boolean;
}

export interface RetentionSettings {
  retentionTimeDays: number;
  minBackupCount: number;
  /** when the instance was deregistered, if it was */
  deregisteredAt: Date | null;
  deletedInstanceRetentionDays: number;
}

/**
 * The retention rule over one instance's backups, as a pure function: the numbers of the
 * backups a pass prunes at `now`. The hourly pass runs it as one SQL statement
 * (RetentionRepository.markPrunable); both are checked against the same table of cases.
 * - only done and failed backups are ever pruned, and none that is being restored;
 * - every one of them goes once the instance has been deregistered longer than
 *   deletedInstanceRetentionDays;
 * - otherwise one goes when it is older than retentionTimeDays and is failed, or is not among
 *   the newest max(minBackupCount, 1) done backups (the newest done backup always stays).
 */
export function prunableBackups(rows: RetentionRow[], s: RetentionSettings, now: Date): number[] {
  const keepDone = Math.max(s.minBackupCount, 1);
  const doneNewestFirst = rows
    .filter((r) => r.status === 'done')
    .sort((a, b) => b.number - a.number)
    .map((r) => r.number);
  const instanceGone =
    s.deregisteredAt !== null &&
    s.deregisteredAt.getTime() < now.getTime() - s.deletedInstanceRetentionDays * DAY_MS;
  return rows
    .filter((r) => (r.status === 'done' || r.status === 'failed') && !r.beingRestored)
    .filter((r) => {
      if (instanceGone) return true;
      const expired = r.triggeredAt.getTime() < now.getTime() - s.retentionTimeDays * DAY_MS;
      return expired && (r.status === 'failed' || doneNewestFirst.indexOf(r.number) >= keepDone);
    })
    .map((r) => r.number)
    .sort((a, b) => a - b);
}
