import { prunableBackups } from './retention-rule';
import { CASES, DAY, NOW } from './retention-rule.cases';

describe('the retention rule (the same cases as the SQL of the hourly pass)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const rows = c.backups.map(([status, age], i) => ({
      number: i + 1,
      status,
      triggeredAt: new Date(NOW.getTime() - age),
    }));
    const pruned = prunableBackups(
      rows,
      {
        retentionTimeDays: c.config.retention_time,
        minBackupCount: c.config.min_backup_count,
        deregisteredAt: c.deregisteredAgo ? new Date(NOW.getTime() - c.deregisteredAgo) : null,
        deletedInstanceRetentionDays: 30,
      },
      NOW,
    );
    expect(pruned).toEqual(c.pruned);
  });

  it('never prunes a backup while it is being restored', () => {
    const old = (number: number) => ({
      number,
      status: 'done' as const,
      triggeredAt: new Date(NOW.getTime() - 20 * DAY),
      beingRestored: number === 1,
    });
    const settings = {
      retentionTimeDays: 1,
      minBackupCount: 1,
      deregisteredAt: null,
      deletedInstanceRetentionDays: 30,
    };
    expect(prunableBackups([old(1), old(2), old(3)], settings, NOW)).toEqual([2]);
  });
});
