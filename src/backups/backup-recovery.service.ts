import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { BackupRunner } from './backup-runner.service';
import { HEARTBEAT_FRESH_SECONDS } from '../jobs/heartbeat';
import { BackupsRepository } from './backups.repository';
import { Clock } from '../core/clock/clock';
import { AppConfig } from '../core/config/app-config';
import { addJob } from '../jobs/add-job';
import { ENQUEUE_GRACE_MS, isLiveJobState, sweepEveryMinute } from '../jobs/recovery-sweep';
import { BACKUPS_QUEUE, RunBackupPayload, backupJobId, runBackupJob } from '../jobs/queue.contract';

/**
 * Makes sure no backup stays queued or running forever: when a worker starts, and every minute,
 * it compares the backups that should be in progress with the jobs in the queue. A running
 * backup whose job is gone or finished, and whose heartbeat stopped, failed with its worker; a
 * queued backup whose job never reached the queue (the API died in between, or Redis came back
 * empty) is queued again. Jobs whose worker died while active are BullMQ's: its stalled-job
 * check hands them to another worker. A running backup with a fresh heartbeat is alive,
 * whatever Redis says: Redis restarted without its data must not fail a backup in progress.
 */
@Injectable()
export class BackupRecoveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BackupRecoveryService.name);
  private stop?: () => void;

  constructor(
    @InjectQueue(BACKUPS_QUEUE) private readonly queue: Queue<RunBackupPayload>,
    private readonly backups: BackupsRepository,
    private readonly runner: BackupRunner,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = sweepEveryMinute(() => this.sweep(), this.logger, 'recovery sweep');
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  async sweep(): Promise<void> {
    for (const backup of await this.backups.listUnfinished(1000, HEARTBEAT_FRESH_SECONDS)) {
      if (backup.status === 'running' && backup.heartbeatFresh) continue;
      const job = await this.queue.getJob(backupJobId(backup.backupId));
      const state = job ? await job.getState() : 'missing';
      if (isLiveJobState(state)) continue;
      if (backup.status === 'running' || state !== 'missing') {
        await this.runner.fail(
          backup.pk,
          'the worker running this backup stopped before it finished',
        );
      } else if (this.clock.now().getTime() - backup.triggeredAt.getTime() > ENQUEUE_GRACE_MS) {
        this.logger.warn({
          msg: 'queued backup had no job, queued again',
          backupId: backup.backupId,
        });
        await addJob(this.queue, runBackupJob(backup), 'backup', this.config.upstreamTimeoutMs);
      }
    }
  }
}
