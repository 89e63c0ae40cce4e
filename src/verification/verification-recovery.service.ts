import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { HEARTBEAT_FRESH_SECONDS } from '../jobs/heartbeat';
import {
  RunVerificationPayload,
  VERIFICATIONS_QUEUE,
  runVerificationJob,
} from '../jobs/queue.contract';
import { isLiveJobState, sweepEveryMinute } from '../jobs/recovery-sweep';
import { VerificationsRepository } from './verifications.repository';

/**
 * Makes sure no verification stays running forever: one whose heartbeat stopped and whose job
 * is gone or finished (its worker died; its scratch server and directory are removed by the
 * next worker start) ends `failed`, and can be asked for again.
 */
@Injectable()
export class VerificationRecoveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(VerificationRecoveryService.name);
  private stop?: () => void;

  constructor(
    @InjectQueue(VERIFICATIONS_QUEUE) private readonly queue: Queue<RunVerificationPayload>,
    private readonly verifications: VerificationsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = sweepEveryMinute(() => this.sweep(), this.logger, 'verification recovery sweep');
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  async sweep(): Promise<void> {
    for (const v of await this.verifications.listRunning(1000, HEARTBEAT_FRESH_SECONDS)) {
      if (v.heartbeatFresh) continue;
      // an asked one waits in the queue under this id; a scheduled one is claimed by its
      // running job, which beats from then on
      const found = await this.queue.getJob(runVerificationJob(v).opts.jobId);
      if (found && isLiveJobState(await found.getState())) continue;
      const reason =
        'the worker running this verification stopped before it finished; ask for it again';
      if (await this.verifications.finish(v.backupPk, { status: 'failed', reason })) {
        this.logger.warn({ msg: 'verification failed', backupPk: String(v.backupPk), reason });
      }
    }
  }
}
