import type { Queue } from 'bullmq';
import type { BackupsRepository } from '../backups/backups.repository';
import type { AppConfig } from '../core/config/app-config';
import type { Clock } from '../core/clock/clock';
import { Prisma } from '../generated/prisma/client';
import { ScheduleService } from './schedule.service';
import type { ScheduleRepository } from './schedule.repository';

const PERIOD = new Date('2026-11-30T01:30:00Z');

/** An instance as the schedule sees it, and what it finds when its scheduled backup is due. */
interface Situation {
  schedulable: boolean;
  takenThisPeriod: boolean;
  /** a backup of the instance is queued or running: the database refuses another */
  busy: boolean;
}

async function trigger(s: Situation) {
  const added: string[] = [];
  const schedule = {
    isSchedulable: () => Promise.resolve(s.schedulable),
    hasScheduledBackupSince: () => Promise.resolve(s.takenThisPeriod),
  } as unknown as ScheduleRepository;
  const backups = {
    insertQueued: (instanceId: string, trigger: string, at: Date) =>
      s.busy
        ? Promise.reject(
            new Prisma.PrismaClientKnownRequestError('busy', { code: 'P2002', clientVersion: 't' }),
          )
        : Promise.resolve({
            pk: 1n,
            backupId: `${instanceId}-${at.getTime()}`,
            instanceId,
            trigger,
          }),
    deleteQueued: () => Promise.resolve(),
  } as unknown as BackupsRepository;
  const queue = {
    add: (_name: string, _data: unknown, opts: { jobId: string }) => {
      added.push(opts.jobId);
      return Promise.resolve();
    },
  } as unknown as Queue;
  const clock: Clock = { now: () => new Date(PERIOD.getTime() + 60_000) };
  const service = new ScheduleService(schedule, backups, {} as AppConfig, clock, queue, queue);
  const outcome = await service.trigger('inst-1', PERIOD);
  return { outcome, jobs: added.length };
}

describe('a scheduled backup coming due', () => {
  it.each([
    [
      'is queued for an instance that wants it',
      { schedulable: true, takenThisPeriod: false, busy: false },
      'queued',
      1,
    ],
    [
      'is skipped for an instance excluded (or deregistered) since',
      { schedulable: false, takenThisPeriod: false, busy: false },
      'excluded',
      0,
    ],
    [
      'is skipped when this period’s backup was already taken',
      { schedulable: true, takenThisPeriod: true, busy: false },
      'already-taken',
      0,
    ],
    [
      'is skipped, not queued twice, while a backup is queued or running',
      { schedulable: true, takenThisPeriod: false, busy: true },
      'in-progress',
      0,
    ],
  ] as const)('%s', async (_what, situation, outcome, jobs) => {
    expect(await trigger(situation)).toEqual({ outcome, jobs });
  });
});
