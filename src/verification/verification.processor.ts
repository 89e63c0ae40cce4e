import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { inJobContext } from '../core/logging/request-context';
import { logQueueErrors } from '../jobs/queue-error-log';
import {
  JOB_LOCK_MS,
  RunVerificationPayload,
  STALLED_CHECK_MS,
  VERIFICATIONS_QUEUE,
} from '../jobs/queue.contract';
import { WorkerPresence } from '../workers/worker-presence.service';
import { VerificationRunner } from './verification-runner.service';

/**
 * Runs verification jobs, one at a time per worker (VERIFY_CONCURRENCY caps them across all
 * workers), once each: a job whose worker died is not handed to another worker, and the
 * recovery sweep records its verification as failed.
 */
@Processor(VERIFICATIONS_QUEUE, {
  concurrency: 1,
  lockDuration: JOB_LOCK_MS,
  stalledInterval: STALLED_CHECK_MS,
  maxStalledCount: 0,
})
export class VerificationProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(VerificationProcessor.name);

  constructor(
    private readonly runner: VerificationRunner,
    private readonly presence: WorkerPresence,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    logQueueErrors(this.worker, this.logger, 'verification worker', 'verification');
  }

  async process(job: Job<RunVerificationPayload>): Promise<void> {
    this.presence.tookJob();
    await inJobContext(job, () =>
      this.runner.run(BigInt(job.data.backupPk), job.data.scheduled === true),
    );
  }
}
