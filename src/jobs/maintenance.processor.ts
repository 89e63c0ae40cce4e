import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { RetentionService } from '../retention/retention.service';
import {
  JOB_PRUNE_ALL,
  MAINTENANCE_JOB_OPTIONS,
  MAINTENANCE_QUEUE,
  PRUNE_ALL_SCHEDULE,
} from './queue.contract';

/**
 * Runs the platform-wide duties. Their schedules are BullMQ job schedulers, upserted by every
 * worker at start: one scheduler per id however many workers there are, so each period's job
 * runs once, on one worker.
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly retention: RetentionService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      JOB_PRUNE_ALL,
      { pattern: PRUNE_ALL_SCHEDULE, tz: 'UTC' },
      { name: JOB_PRUNE_ALL, opts: MAINTENANCE_JOB_OPTIONS },
    );
  }

  async process(job: Job): Promise<number> {
    switch (job.name) {
      case JOB_PRUNE_ALL:
        return this.retention.prune();
      default:
        throw new Error(`no handler for maintenance job "${job.name}"`);
    }
  }
}
