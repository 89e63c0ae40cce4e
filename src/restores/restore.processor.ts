import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { logQueueErrors } from '../jobs/queue-error-log';
import {
  JOB_LOCK_MS,
  RESTORES_QUEUE,
  RunRestorePayload,
  STALLED_CHECK_MS,
} from '../jobs/queue.contract';
import { inJobContext } from '../core/logging/request-context';
import { WorkerPresence } from '../workers/worker-presence.service';
import { RestoreRunner } from './restore-runner.service';

/**
 * Runs restore jobs, once each: a job whose worker died is not handed to another worker
 * (maxStalledCount 0), and the recovery sweep records the restore as failed.
 */
@Processor(RESTORES_QUEUE, {
  lockDuration: JOB_LOCK_MS,
  stalledInterval: STALLED_CHECK_MS,
  maxStalledCount: 0,
})
export class RestoreProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RestoreProcessor.name);

  constructor(
    private readonly runner: RestoreRunner,
    private readonly presence: WorkerPresence,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    logQueueErrors(this.worker, this.logger, 'restore worker', 'restore');
  }

  async process(job: Job<RunRestorePayload>): Promise<void> {
    this.presence.tookJob();
    await inJobContext(job, () => this.runner.run(BigInt(job.data.restorePk)));
  }
}
