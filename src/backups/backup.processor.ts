import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { inJobContext } from '../core/logging/request-context';
import { WorkerPresence } from '../workers/worker-presence.service';
import { RetentionService } from '../retention/retention.service';
import { Job, UnrecoverableError } from 'bullmq';
import { BackupNotRunnableError, BackupRunner } from './backup-runner.service';
import { AppConfig } from '../core/config/app-config';
import { DumpFailedError } from '../engines/shared/dump-engine';
import {
  BACKUPS_QUEUE,
  JOB_LOCK_MS,
  RunBackupPayload,
  STALLED_CHECK_MS,
} from '../jobs/queue.contract';
import { logQueueErrors } from '../jobs/queue-error-log';

/**
 * Runs backup jobs. A dump that fails (bad credentials, unreachable host, tool error) fails the
 * backup at once; anything else (storage, database hiccups) is retried with back-off, and the
 * backup fails when the last attempt does.
 */
@Processor(BACKUPS_QUEUE, {
  lockDuration: JOB_LOCK_MS,
  stalledInterval: STALLED_CHECK_MS,
  maxStalledCount: 1,
})
export class BackupProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly runner: BackupRunner,
    private readonly config: AppConfig,
    private readonly retention: RetentionService,
    private readonly presence: WorkerPresence,
  ) {
    super();
  }

  private readonly logger = new Logger(BackupProcessor.name);
  private running = 0;

  /** Backup jobs this process is running right now. */
  get runningJobs(): number {
    return this.running;
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
    logQueueErrors(this.worker, this.logger, 'backup worker', 'backup');
  }

  /** Every failed attempt is logged, with whether another one follows. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<RunBackupPayload> | undefined, err: Error): void {
    if (!job) return;
    const retried =
      !(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    this.logger.warn({
      msg: retried ? 'backup attempt failed, will try again' : 'backup attempt failed',
      backupId: job.data.backupId,
      attempt: job.attemptsMade,
      error: err.message,
    });
  }

  async process(job: Job<RunBackupPayload>): Promise<void> {
    this.running++;
    this.presence.tookJob();
    try {
      await inJobContext(job, () => this.runJob(job));
    } finally {
      this.running--;
    }
  }

  private async runJob(job: Job<RunBackupPayload>): Promise<void> {
    const pk = BigInt(job.data.backupPk);
    try {
      await this.runner.run(pk, job.data.backupId);
      await this.pruneAfter(job.data.instanceId);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof DumpFailedError || err instanceof BackupNotRunnableError;
      if (permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await this.runner.fail(pk, message);
        await this.pruneAfter(job.data.instanceId);
        throw new UnrecoverableError(message);
      }
      throw err;
    }
  }

  /** Retention after every finished backup; its failure must not fail the backup. */
  private async pruneAfter(instanceId: string): Promise<void> {
    await this.retention
      .prune(instanceId)
      .catch((err: Error) =>
        this.logger.warn({ msg: 'retention after backup failed', error: err.message }),
      );
  }
}
