import type { BackupStatus } from '../generated/prisma/client';

/**
 * The retention rule's table of cases, run by the unit spec against prunableBackups() and by
 * the end-to-end test against the SQL of the hourly pass, so that the two cannot drift apart.
 */
export const NOW = new Date('2026-06-15T12:00:00.000Z');
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

export interface RetentionCase {
  name: string;
  config: { retention_time: number; min_backup_count: number };
  /** oldest first: status and age in ms at NOW */
  backups: Array<[BackupStatus, number]>;
  deregisteredAgo?: number;
  /** numbers (1-based, oldest first) that must end `deleted` */
  pruned: number[];
}

export const CASES: RetentionCase[] = [
  {
    name: 'all younger than retention_time',
    config: { retention_time: 5, min_backup_count: 2 },
    backups: [
      ['done', 4 * DAY],
      ['done', 3 * DAY],
      ['done', 2 * DAY],
      ['done', DAY],
    ],
    pruned: [],
  },
  {
    name: 'all older, more than min_backup_count',
    config: { retention_time: 5, min_backup_count: 2 },
    backups: [
      ['done', 14 * DAY],
      ['done', 13 * DAY],
      ['done', 12 * DAY],
      ['done', 11 * DAY],
      ['done', 10 * DAY],
    ],
    pruned: [1, 2, 3],
  },
  {
    name: 'min_backup_count 0 still keeps the newest done backup',
    config: { retention_time: 5, min_backup_count: 0 },
    backups: [
      ['done', 12 * DAY],
      ['done', 11 * DAY],
      ['done', 10 * DAY],
    ],
    pruned: [1, 2],
  },
  {
    name: 'retention_time 0',
    config: { retention_time: 0, min_backup_count: 2 },
    backups: [
      ['done', 4 * HOUR],
      ['done', 3 * HOUR],
      ['done', 2 * HOUR],
      ['done', HOUR],
    ],
    pruned: [1, 2],
  },
  {
    name: 'a run of failed backups after the last good one',
    config: { retention_time: 1, min_backup_count: 0 },
    backups: [
      ['done', 20 * DAY],
      ['done', 10 * DAY],
      ['failed', 9 * DAY],
      ['failed', 8 * DAY],
      ['failed', 7 * DAY],
      ['failed', HOUR],
    ],
    pruned: [1, 3, 4, 5],
  },
  {
    name: 'queued and running backups are untouched',
    config: { retention_time: 0, min_backup_count: 0 },
    backups: [
      ['done', 10 * DAY],
      ['failed', 9 * DAY],
      ['running', 8 * DAY],
    ],
    pruned: [2],
  },
  {
    name: 'deregistered instance past its grace period loses everything',
    config: { retention_time: 5, min_backup_count: 5 },
    backups: [
      ['done', 40 * DAY],
      ['failed', 35 * DAY],
      ['done', 32 * DAY],
    ],
    deregisteredAgo: 31 * DAY,
    pruned: [1, 2, 3],
  },
  {
    name: 'deregistered instance within its grace period keeps what the rules keep',
    config: { retention_time: 5, min_backup_count: 1 },
    backups: [
      ['done', 2 * DAY],
      ['done', DAY],
    ],
    deregisteredAgo: 10 * DAY,
    pruned: [],
  },
];
