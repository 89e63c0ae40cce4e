import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { RetentionService } from '../retention/retention.service';
import { AppConfig } from '../core/config/app-config';
import { ScheduleService } from '../schedule/schedule.service';
import {
  JOB_PLAN_SCHEDULE,
  JOB_PRUNE_ALL,
  JOB_SCHEDULED_BACKUP,
  MAINTENANCE_JOB_OPTIONS,
  MAINTENANCE_QUEUE,
  PRUNE_ALL_SCHEDULE,
  ScheduledBackupPayload,
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
    private readonly schedule: ScheduleService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      JOB_PLAN_SCHEDULE,
      { pattern: this.config.backupSchedule, tz: 'UTC' },
      { name: JOB_PLAN_SCHEDULE, opts: MAINTENANCE_JOB_OPTIONS },
    );
    await this.queue.upsertJobScheduler(
      JOB_PRUNE_ALL,
      { pattern: PRUNE_ALL_SCHEDULE, tz: 'UTC' },
      { name: JOB_PRUNE_ALL, opts: MAINTENANCE_JOB_OPTIONS },
    );
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JOB_PRUNE_ALL:
        return this.retention.prune();
      case JOB_PLAN_SCHEDULE:
        return this.schedule.planPeriod();
      case JOB_SCHEDULED_BACKUP: {
        const { instanceId, periodStart } = job.data as ScheduledBackupPayload;
        return this.schedule.trigger(instanceId, new Date(periodStart));
      }
      default:
        throw new Error(`no handler for maintenance job "${job.name}"`);
    }
  }
}
