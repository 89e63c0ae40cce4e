import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { BackupsRepository } from '../backups/backups.repository';
import { triggerBackup } from '../backups/trigger-backup';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import {
  BACKUPS_QUEUE,
  JOB_SCHEDULED_BACKUP,
  MAINTENANCE_JOB_OPTIONS,
  MAINTENANCE_QUEUE,
  ScheduledBackupPayload,
  runBackupJob,
} from '../jobs/queue.contract';
import { addJob } from '../jobs/add-job';
import { jitterOffsetMs, periodStart } from './schedule-time';
import { ScheduleRepository } from './schedule.repository';

const PAGE = 5000;
/** Pages handed to Redis that it may not have stored yet. */
const PAGES_IN_FLIGHT = 2;

/**
 * The same promise, marked as handled: it is awaited later, and meanwhile its rejection must
 * not count as unhandled (which would stop the process).
 */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * The daily scheduled backups. Once per BACKUP_SCHEDULE period one worker plans the period: a
 * delayed job per instance, at the instance's own offset within BACKUP_SCHEDULE_JITTER. When
 * that job comes due, the backup is queued unless the instance was excluded or deregistered
 * meanwhile, already has its scheduled backup for this period, or has one queued or running.
 */
@Injectable()
export class ScheduleService {
  private readonly logger = new Logger(ScheduleService.name);

  constructor(
    private readonly schedule: ScheduleRepository,
    private readonly backups: BackupsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue<ScheduledBackupPayload>,
    @InjectQueue(BACKUPS_QUEUE) private readonly backupsQueue: Queue,
  ) {}

  /**
   * Plans the current period; safe to run more than once (jobs are named per instance and
   * period). The next page is read while this one goes to Redis, and two pages may be on their
   * way at once, so that Redis runs one page's scripts while this process encodes the next.
   */
  async planPeriod(): Promise<number> {
    const now = this.clock.now();
    const start = periodStart(this.config.backupSchedule, now);
    let planned = 0;
    const sending: Array<Promise<unknown>> = [];
    try {
      let next = quiet(this.schedule.schedulableIds(null, PAGE));
      for (;;) {
        const ids = await next;
        if (ids.length === 0) break;
        next = quiet(
          ids.length < PAGE
            ? Promise.resolve([])
            : this.schedule.schedulableIds(ids[ids.length - 1], PAGE),
        );
        if (sending.length === PAGES_IN_FLIGHT) await sending.shift();
        sending.push(
          quiet(this.maintenance.addBulk(ids.map((id) => this.plannedJob(id, start, now)))),
        );
        planned += ids.length;
      }
    } finally {
      // a failed read must not leave pages still being sent unawaited
      await Promise.allSettled(sending);
    }
    await Promise.all(sending);
    this.logger.log({
      msg: 'scheduled backups planned',
      period: start.toISOString(),
      instances: planned,
    });
    return planned;
  }

  private plannedJob(instanceId: string, start: Date, now: Date) {
    return {
      name: JOB_SCHEDULED_BACKUP,
      data: { instanceId, periodStart: start.toISOString() },
      opts: {
        ...MAINTENANCE_JOB_OPTIONS,
        jobId: `scheduled-${instanceId}-${start.getTime()}`,
        delay: Math.max(
          0,
          start.getTime() +
            jitterOffsetMs(instanceId, this.config.backupScheduleJitterMinutes) -
            now.getTime(),
        ),
      },
    };
  }

  /** Queues one instance's scheduled backup for a period, or says why not. */
  async trigger(
    instanceId: string,
    period: Date,
  ): Promise<'queued' | 'excluded' | 'already-taken' | 'in-progress'> {
    if (!(await this.schedule.isSchedulable(instanceId))) return 'excluded';
    if (await this.schedule.hasScheduledBackupSince(instanceId, period)) return 'already-taken';
    const backup = await triggerBackup(
      this.backups,
      (b) => addJob(this.backupsQueue, runBackupJob(b), 'backup', this.config.upstreamTimeoutMs),
      instanceId,
      'scheduled',
      this.clock.now(),
    );
    if (!backup) {
      this.logger.log({
        msg: 'scheduled backup skipped: a backup is already queued or running',
        instanceId,
      });
      return 'in-progress';
    }
    return 'queued';
  }
}
