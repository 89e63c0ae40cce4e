import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import {
  RunVerificationPayload,
  VERIFICATIONS_QUEUE,
  runVerificationJob,
} from '../jobs/queue.contract';
import { jitterOffsetMs, periodStart } from '../schedule/schedule-time';
import { VerificationsRepository } from './verifications.repository';

const PAGE = 1000;

/**
 * The daily verifications. Once per VERIFY_SCHEDULE period one worker (the maintenance job)
 * plans it: for each registered instance whose newest done backup was never verified, a job
 * delayed to the instance's own offset within BACKUP_SCHEDULE_JITTER. The job verifies the
 * backup only if it still has no verification then.
 */
@Injectable()
export class VerificationScheduleService implements OnApplicationBootstrap {
  private readonly logger = new Logger(VerificationScheduleService.name);

  constructor(
    private readonly verifications: VerificationsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @InjectQueue(VERIFICATIONS_QUEUE) private readonly queue: Queue<RunVerificationPayload>,
  ) {}

  /** VERIFY_CONCURRENCY: a cap across all workers, kept in Redis with the queue. */
  async onApplicationBootstrap(): Promise<void> {
    const cap = this.config.verifyConcurrency;
    if (cap !== undefined) await this.queue.setGlobalConcurrency(cap);
    else await this.queue.removeGlobalConcurrency();
  }

  /** Plans the current period; safe to run more than once (jobs are named per backup and period). */
  async planPeriod(): Promise<number> {
    const now = this.clock.now();
    const start = periodStart(this.config.verifySchedule, now);
    let planned = 0;
    for (let after: string | null = null; ;) {
      const page = await this.verifications.unverifiedNewest(after, PAGE);
      if (page.length === 0) break;
      await this.queue.addBulk(
        page.map(({ backupPk, instanceId }) => {
          const delay =
            start.getTime() +
            jitterOffsetMs(instanceId, this.config.backupScheduleJitterMinutes) -
            now.getTime();
          return runVerificationJob({ backupPk, period: start }, Math.max(0, delay));
        }),
      );
      planned += page.length;
      after = page[page.length - 1].instanceId;
    }
    this.logger.log({
      msg: 'scheduled verifications planned',
      period: start.toISOString(),
      backups: planned,
    });
    return planned;
  }
}
