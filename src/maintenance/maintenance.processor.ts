import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { RetentionService } from '../retention/retention.service';
import { AppConfig } from '../core/config/app-config';
import { ScheduleService } from '../schedule/schedule.service';
import { VerificationScheduleService } from '../verification/verification-schedule.service';
import {
  JOB_PLAN_SCHEDULE,
  JOB_PLAN_VERIFICATIONS,
  JOB_PRUNE_ALL,
  JOB_SCHEDULED_BACKUP,
  MAINTENANCE_JOB_OPTIONS,
  MAINTENANCE_QUEUE,
  PRUNE_ALL_SCHEDULE,
  ScheduledBackupPayload,
} from '../jobs/queue.contract';
import { logQueueErrors } from '../jobs/queue-error-log';
import { AuditRepository } from '../audit/audit.repository';

/** How often a worker checks that the maintenance schedulers are still in Redis. */
const SCHEDULERS_CHECK_MS = 60_000;

/**
 * Runs the platform-wide duties. Their schedules are BullMQ job schedulers, upserted by every
 * worker at start: one scheduler per id however many workers there are, so each period's job
 * runs once, on one worker. Every minute each worker checks that they are still there and puts
 * back any that are not (Redis restarted without its data).
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly retention: RetentionService,
    private readonly schedule: ScheduleService,
    private readonly verifications: VerificationScheduleService,
    private readonly config: AppConfig,
    private readonly audit: AuditRepository,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    logQueueErrors(this.worker, this.logger, 'maintenance worker', 'maintenance');
    await this.ensureSchedulers(false);
    this.timer = setInterval(() => {
      this.ensureSchedulers(true).catch((err: Error) =>
        this.logger.warn({ msg: 'maintenance schedulers not checked', error: err.message }),
      );
    }, SCHEDULERS_CHECK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Upserts the schedulers; with `onlyMissing`, only those that are not in Redis. */
  async ensureSchedulers(onlyMissing: boolean): Promise<void> {
    const schedules = [
      [JOB_PLAN_SCHEDULE, this.config.backupSchedule],
      [JOB_PRUNE_ALL, PRUNE_ALL_SCHEDULE],
      [JOB_PLAN_VERIFICATIONS, this.config.verifySchedule],
    ] as const;
    for (const [name, pattern] of schedules) {
      if (onlyMissing && (await this.queue.getJobScheduler(name))) continue;
      await this.queue.upsertJobScheduler(
        name,
        { pattern, tz: 'UTC' },
        { name, opts: MAINTENANCE_JOB_OPTIONS },
      );
      if (onlyMissing)
        this.logger.warn({ msg: 'maintenance schedule was missing, restored', name });
    }
  }

  /** Removes the audit log's records older than AUDIT_RETENTION_DAYS; a failure waits an hour. */
  private async pruneAudit(): Promise<void> {
    try {
      const removed = await this.audit.prune(this.config.auditRetentionDays);
      if (removed > 0) this.logger.log({ msg: 'audit records pruned', removed });
    } catch (err) {
      this.logger.warn({ msg: 'audit records not pruned', error: (err as Error).message });
    }
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JOB_PRUNE_ALL: {
        const pruned = await this.retention.prune();
        await this.pruneAudit();
        return pruned;
      }
      case JOB_PLAN_SCHEDULE:
        return this.schedule.planPeriod();
      case JOB_PLAN_VERIFICATIONS:
        return this.verifications.planPeriod();
      case JOB_SCHEDULED_BACKUP: {
        const { instanceId, periodStart } = job.data as ScheduledBackupPayload;
        return this.schedule.trigger(instanceId, new Date(periodStart));
      }
      default:
        throw new Error(`no handler for maintenance job "${job.name}"`);
    }
  }
}
