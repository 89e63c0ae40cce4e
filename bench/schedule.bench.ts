import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { BackupsRepository } from '../src/backups/backups.repository';
import { Clock } from '../src/core/clock/clock';
import { BACKUPS_QUEUE, MAINTENANCE_QUEUE } from '../src/jobs/queue.contract';
import { ScheduleRepository } from '../src/schedule/schedule.repository';
import { ScheduleService } from '../src/schedule/schedule.service';
import { fmt, inProcessState, seedInstances, sql } from './support';

const DB = 'bm_bench_schedule';

/**
 * `npm run bench -- schedule`: planning one period of the daily backups, a delayed job per
 * registered instance in Redis, for 10,000 and 100,000 instances.
 */
export async function benchSchedule(): Promise<void> {
  console.log('\n## Schedule: planning one period (a delayed job per instance, in Redis)');
  const { config, prisma } = await inProcessState(DB);
  const clock: Clock = { now: () => new Date() };
  const prefix = `bm-bench-${randomBytes(3).toString('hex')}`;
  const maintenance = new Queue(MAINTENANCE_QUEUE, {
    connection: { url: config.redisUrl },
    prefix,
  });
  const backupsQueue = new Queue(BACKUPS_QUEUE, { connection: { url: config.redisUrl }, prefix });
  const schedule = new ScheduleService(
    new ScheduleRepository(prisma),
    new BackupsRepository(prisma),
    config,
    clock,
    maintenance,
    backupsQueue,
  );
  try {
    const planned: Array<{ instances: number; seconds: number }> = [];
    for (const instances of [10_000, 100_000]) {
      await sql(
        DB,
        'TRUNCATE instances, backups_config, encryption_keys, backup_rows, backup_prunings CASCADE',
      );
      await seedInstances(DB, instances);
      await sql(DB, 'ANALYZE');
      const started = process.hrtime.bigint();
      const count = await schedule.planPeriod();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      planned.push({ instances: count, seconds });
      console.log(`${String(count).padStart(9)} instances: ${fmt(seconds)} s`);
      await maintenance.obliterate({ force: true });
    }
    console.log(
      `growth: ${planned[1].instances / planned[0].instances}× instances → ${fmt(planned[1].seconds / planned[0].seconds, 1)}× time`,
    );
  } finally {
    await Promise.all([maintenance.close(), backupsQueue.close()]);
    await prisma.$disconnect();
    await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
