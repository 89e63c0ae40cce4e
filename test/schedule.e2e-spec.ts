import { Queue } from 'bullmq';
import { Clock } from '../src/core/clock/clock';
import { BACKUPS_QUEUE, MAINTENANCE_QUEUE } from '../src/jobs/queue.contract';
import { BackupsRepository } from '../src/backups/backups.repository';
import { ScheduleRepository } from '../src/schedule/schedule.repository';
import { ScheduleService } from '../src/schedule/schedule.service';
import { databaseUrl } from './support/databases';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker } from './support/test-worker';

/** A clock the test moves by hand. */
class ManualClock extends Clock {
  constructor(public current: Date) {
    super();
  }
  now(): Date {
    return this.current;
  }
}

const PERIOD = new Date('2026-06-15T01:30:00.000Z'); // BACKUP_SCHEDULE 30 1 * * *
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('scheduled backups', () => {
  let t: TestApp;
  const clock = new ManualClock(PERIOD);
  const workers: TestWorker[] = [];
  let queue: Queue;
  let included: string[];
  let excluded: string[];

  beforeAll(async () => {
    t = await startTestApp({ BACKUP_SCHEDULE: '30 1 * * *', BACKUP_SCHEDULE_JITTER: '30' });
    workers.push(await startTestWorker(t, clock), await startTestWorker(t, clock));
    queue = new Queue(MAINTENANCE_QUEUE, {
      connection: { url: t.config.redisUrl },
      prefix: t.config.queuePrefix,
    });
    included = [];
    excluded = [];
    for (let i = 0; i < 8; i++) {
      const inst = await registerInstance(t, {
        type: 'postgresql',
        connection_url: databaseUrl('postgres'),
      });
      if (i % 4 === 3) {
        await t.http
          .patch(`/v1/instances/${inst.id}/backups-config`)
          .set('Authorization', `Bearer ${inst.token}`)
          .send({ exclude_from_auto_backup: true })
          .expect(200);
        excluded.push(inst.id);
      } else included.push(inst.id);
    }
  });
  afterAll(async () => {
    await queue?.close();
    for (const w of workers) await w.close();
    await t?.close();
  });

  const scheduledCount = (instanceId: string) =>
    t.prisma.backup.count({ where: { instanceId, trigger: 'scheduled' } });

  /** Both workers plan the period at once (a duplicate tick, or a restart), then the due jobs run. */
  async function runPeriod(): Promise<void> {
    await Promise.all(workers.map((w) => w.worker.get(ScheduleService).planPeriod()));
    // move time past the jitter window and let the delayed jobs run now
    clock.current = new Date(clock.current.getTime() + 31 * MINUTE);
    const pending = async () =>
      (await queue.getJobs(['delayed', 'waiting', 'active'])).filter(
        (j) => j?.name === 'scheduled-backup',
      );
    for (const job of await pending()) if (await job.isDelayed()) await job.promote();
    const deadline = Date.now() + 120000;
    while ((await pending()).length > 0) {
      if (Date.now() > deadline) throw new Error('scheduled jobs did not run');
      await new Promise((r) => setTimeout(r, 100));
    }
    // and the backups they queued finish, as they would long before the next day
    while (
      (await t.prisma.backup.count({ where: { status: { in: ['queued', 'running'] } } })) > 0
    ) {
      if (Date.now() > deadline) throw new Error('scheduled backups did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('plans one job per included instance, spread over the jitter window', async () => {
    await Promise.all(workers.map((w) => w.worker.get(ScheduleService).planPeriod()));
    const delayed = await queue.getDelayed();
    const planned = delayed.filter((j) => j.name === 'scheduled-backup');
    expect(planned.map((j) => (j.data as { instanceId: string }).instanceId).sort()).toEqual(
      [...included].sort(),
    );
    const delays = planned.map((j) => j.opts.delay!);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(30 * MINUTE);
    }
    expect(new Set(delays).size).toBe(delays.length);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(5 * MINUTE);
  });

  it('gives each included instance exactly one scheduled backup per period, excluded ones none', async () => {
    await runPeriod();
    for (const id of included) expect(await scheduledCount(id)).toBe(1);
    for (const id of excluded) expect(await scheduledCount(id)).toBe(0);

    // the same period planned again (another tick, a restarted worker): nothing new
    clock.current = new Date(PERIOD.getTime() + 40 * MINUTE);
    await runPeriod();
    for (const id of included) expect(await scheduledCount(id)).toBe(1);

    // the next day's period: one more each
    clock.current = new Date(PERIOD.getTime() + DAY);
    await runPeriod();
    for (const id of included) expect(await scheduledCount(id)).toBe(2);
    for (const id of excluded) expect(await scheduledCount(id)).toBe(0);
    const rows = await t.prisma.backup.findMany({ where: { trigger: 'scheduled' } });
    expect(rows).toHaveLength(2 * included.length);
  });

  it('excluding an instance takes effect for a backup already planned', async () => {
    clock.current = new Date(PERIOD.getTime() + 2 * DAY);
    await Promise.all(workers.map((w) => w.worker.get(ScheduleService).planPeriod()));
    const target = included[0];
    await t.prisma.backupsConfig.update({
      where: { instanceId: target },
      data: { excludeFromAutoBackup: true },
    });
    await runPeriod();
    expect(await scheduledCount(target)).toBe(2);
    for (const id of included.slice(1)) expect(await scheduledCount(id)).toBe(3);
  });
});

describe('planning a large fleet', () => {
  it('plans every included instance of many pages exactly once, and no excluded one', async () => {
    const t = await startTestApp({ BACKUP_SCHEDULE: '30 1 * * *', BACKUP_SCHEDULE_JITTER: '30' });
    // queues of their own, which no worker takes jobs from: every planned job stays delayed
    const connection = { url: t.config.redisUrl };
    const prefix = `${t.config.queuePrefix}-fleet`;
    const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
    const backups = new Queue(BACKUPS_QUEUE, { connection, prefix });
    const schedule = new ScheduleService(
      new ScheduleRepository(t.prisma),
      new BackupsRepository(t.prisma),
      t.config,
      new ManualClock(PERIOD),
      queue,
      backups,
    );
    try {
      // more than two pages of 5,000, registered directly (the API would take minutes);
      // every seventh excluded, and one deregistered
      const count = 12_001;
      await t.prisma.$executeRawUnsafe(
        `INSERT INTO instances (id, name, type, credentials, deleted_at)
         SELECT 'inst-' || i, 'fleet', 'postgresql', '\\x00', CASE WHEN i = 5 THEN now() END
         FROM generate_series(1, ${count}) i`,
      );
      await t.prisma.$executeRawUnsafe(
        `INSERT INTO encryption_keys (id, instance_id, origin, sealed)
         SELECT gen_random_uuid(), id, 'platform', '\\x00' FROM instances`,
      );
      await t.prisma.$executeRawUnsafe(
        `INSERT INTO backups_config (instance_id, min_backup_count, retention_time, active_key_id, exclude_from_auto_backup, updated_at)
         SELECT instance_id, 1, 1, id, substr(instance_id, 6)::int % 7 = 0, now() FROM encryption_keys`,
      );
      const planned = await schedule.planPeriod();

      const ids = (await queue.getJobs(['delayed', 'waiting', 'active', 'completed'])).map(
        (j) => j.id!,
      );
      const expected: string[] = [];
      for (let i = 1; i <= count; i++) {
        if (i % 7 !== 0 && i !== 5) expected.push(`scheduled-inst-${i}-${PERIOD.getTime()}`);
      }
      expect(planned).toBe(expected.length);
      expect(ids.sort()).toEqual(expected.sort());
    } finally {
      await queue.obliterate({ force: true });
      await Promise.all([queue.close(), backups.close()]);
      await t.close();
    }
  });
});
