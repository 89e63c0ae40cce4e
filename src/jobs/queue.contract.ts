import type { JobsOptions } from 'bullmq';

/**
 * The one contract between the API (which enqueues) and the worker (which processes):
 * queue names, job names, payloads and default job options.
 */
export const BACKUPS_QUEUE = 'backups';

export const JOB_RUN_BACKUP = 'run-backup';

export interface RunBackupPayload {
  /** the backup row's primary key, as a string (bigint does not survive JSON) */
  backupPk: string;
  /** the backup's public backup_id, checked against the row before anything runs */
  backupId: string;
  instanceId: string;
  /** the request that queued it, so the worker's log lines carry the same id */
  requestId?: string;
}

/**
 * One job per backup: adding the same backup twice is a no-op. The id is the globally unique
 * backup_id rather than the row's key, so that a recreated database never meets an old job.
 */
export const backupJobId = (backupId: string) => `backup-${backupId}`;

export const BACKUP_JOB_OPTIONS: JobsOptions = {
  // transient failures (storage hiccup, lost connection) are retried; dump failures are not
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

/** How long a worker's lock on a job lasts without renewal; bounds the time to notice a dead worker. */
export const JOB_LOCK_MS = 30_000;
/** How often workers look for jobs whose lock expired (a dead worker's jobs). */
export const STALLED_CHECK_MS = 10_000;

/** The job that runs one backup, as both the API and the recovery sweep add it. */
export function runBackupJob(
  backup: { pk: bigint; backupId: string; instanceId: string },
  requestId?: string,
) {
  return {
    name: JOB_RUN_BACKUP,
    data: {
      backupPk: String(backup.pk),
      backupId: backup.backupId,
      instanceId: backup.instanceId,
      ...(requestId ? { requestId } : {}),
    } satisfies RunBackupPayload,
    opts: { ...BACKUP_JOB_OPTIONS, jobId: backupJobId(backup.backupId) },
  };
}

/** Restores run on a queue of their own, so that a long restore never waits behind backups. */
export const RESTORES_QUEUE = 'restores';
export const JOB_RUN_RESTORE = 'run-restore';

export interface RunRestorePayload {
  /** the restore row's primary key, as a string */
  restorePk: string;
  instanceId: string;
  requestId?: string;
}

/**
 * A restore runs once: a retry after a failure half-way could apply part of a backup twice,
 * so a failed or interrupted restore ends `failed` and the user decides to start another.
 */
export const RESTORE_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

/** The job that runs one restore; its id is unique across recreated databases too. */
export function runRestoreJob(
  restore: { pk: bigint; instanceId: string; triggeredAt: Date },
  requestId?: string,
) {
  return {
    name: JOB_RUN_RESTORE,
    data: {
      restorePk: String(restore.pk),
      instanceId: restore.instanceId,
      ...(requestId ? { requestId } : {}),
    } satisfies RunRestorePayload,
    opts: {
      ...RESTORE_JOB_OPTIONS,
      jobId: `restore-${restore.instanceId}-${restore.pk}-${restore.triggeredAt.getTime()}`,
    },
  };
}

/** Platform-wide duties of the workers, each run once per period by whichever worker gets it. */
export const MAINTENANCE_QUEUE = 'maintenance';
export const JOB_PRUNE_ALL = 'prune-all';
/** plans the scheduled backups of a BACKUP_SCHEDULE period */
export const JOB_PLAN_SCHEDULE = 'plan-scheduled-backups';
/** one instance's scheduled backup, delayed to its slot in the jitter window */
export const JOB_SCHEDULED_BACKUP = 'scheduled-backup';

export interface ScheduledBackupPayload {
  instanceId: string;
  /** ISO start of the period this backup belongs to */
  periodStart: string;
}

/** hourly retention pass over every instance */
export const PRUNE_ALL_SCHEDULE = '0 * * * *';
export const MAINTENANCE_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: { age: 24 * 3600, count: 100 },
  removeOnFail: { age: 7 * 24 * 3600, count: 100 },
};

/** Verifications run on a queue of their own: a long one never delays a backup or a restore. */
export const VERIFICATIONS_QUEUE = 'verifications';
export const JOB_RUN_VERIFICATION = 'run-verification';
/** plans the scheduled verifications of a VERIFY_SCHEDULE period (a maintenance job) */
export const JOB_PLAN_VERIFICATIONS = 'plan-verifications';

export interface RunVerificationPayload {
  /** the backup row's primary key, as a string */
  backupPk: string;
  /** a scheduled one: the backup is verified only if it never was (an asked one already claimed it) */
  scheduled?: boolean;
  requestId?: string;
}

/**
 * A verification that stopped half-way is not run again by the queue: the recovery sweep
 * records it as failed (its scratch server is gone with its worker), and it can be asked again.
 */
export const VERIFICATION_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

/**
 * The job that runs one verification. An asked one is named after the backup and when it was
 * asked for (the claim's `started_at`); a scheduled one after the backup and the period.
 */
export function runVerificationJob(
  verification: { backupPk: bigint; startedAt: Date } | { backupPk: bigint; period: Date },
  delayMs = 0,
) {
  const scheduled = 'period' in verification;
  return {
    name: JOB_RUN_VERIFICATION,
    data: {
      backupPk: String(verification.backupPk),
      ...(scheduled ? { scheduled } : {}),
    } satisfies RunVerificationPayload,
    opts: {
      ...VERIFICATION_JOB_OPTIONS,
      jobId: scheduled
        ? `verify-${verification.backupPk}-scheduled-${verification.period.getTime()}`
        : `verify-${verification.backupPk}-${verification.startedAt.getTime()}`,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    },
  };
}
