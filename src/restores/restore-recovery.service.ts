import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { HEARTBEAT_FRESH_SECONDS } from '../jobs/heartbeat';
import { Clock } from '../core/clock/clock';
import { AppConfig } from '../core/config/app-config';
import { addJob } from '../jobs/add-job';
import { RESTORES_QUEUE, RunRestorePayload, runRestoreJob } from '../jobs/queue.contract';
import { ENQUEUE_GRACE_MS, isLiveJobState, sweepEveryMinute } from '../jobs/recovery-sweep';
import { RestoresRepository } from './restores.repository';

/**
 * Makes sure no restore stays queued or running forever, as the backups' sweep does: a running
 * restore whose heartbeat stopped and whose job is gone or finished ends `failed` (it is never
 * run again: it may have applied part of the backup); a queued one whose job never reached
 * Redis is queued again.
 */
@Injectable()
export class RestoreRecoveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RestoreRecoveryService.name);
  private stop?: () => void;

  constructor(
    @InjectQueue(RESTORES_QUEUE) private readonly queue: Queue<RunRestorePayload>,
    private readonly restores: RestoresRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = sweepEveryMinute(() => this.sweep(), this.logger, 'restore recovery sweep');
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  async sweep(): Promise<void> {
    for (const r of await this.restores.listUnfinished(1000, HEARTBEAT_FRESH_SECONDS)) {
      if (r.status === 'running' && r.heartbeatFresh) continue;
      const job = runRestoreJob(r);
      const found = await this.queue.getJob(job.opts.jobId);
      const state = found ? await found.getState() : 'missing';
      if (isLiveJobState(state)) continue;
      if (r.status === 'running' || state !== 'missing') {
        const reason =
          'the worker running this restore stopped before it finished; the restore was not run again, start a new one';
        if (await this.restores.markFailed(r.pk, reason)) {
          this.logger.warn({ msg: 'restore failed', restorePk: String(r.pk), reason });
        }
      } else if (this.clock.now().getTime() - r.triggeredAt.getTime() > ENQUEUE_GRACE_MS) {
        this.logger.warn({
          msg: 'queued restore had no job, queued again',
          restorePk: String(r.pk),
        });
        await addJob(this.queue, job, 'restore', this.config.upstreamTimeoutMs);
      }
    }
  }
}
