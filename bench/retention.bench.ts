import { JobMetrics } from '../src/metrics/job-metrics';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../src/core/config/app-config';
import { Clock } from '../src/core/clock/clock';
import { PrismaService } from '../src/core/prisma/prisma.service';
import { RetentionRepository } from '../src/retention/retention.repository';
import { OrphanArchivesRepository } from '../src/storage/orphan-archives.repository';
import { RetentionService } from '../src/retention/retention.service';
import { Queue } from 'bullmq';
import { BackupsRepository } from '../src/backups/backups.repository';
import { BACKUPS_QUEUE, MAINTENANCE_QUEUE } from '../src/jobs/queue.contract';
import { ScheduleRepository } from '../src/schedule/schedule.repository';
import { ScheduleService } from '../src/schedule/schedule.service';
import { FsStorageDriver } from '../src/storage/fs-storage.driver';
import { fmt, freshStateDatabase, sql } from './support';

const DB = 'bm_bench_retention';

/**
 * Seeds `instances` instances with `perInstance` done backups each, one a day back from now,
 * retention_time 5 and min_backup_count 5: so each instance keeps 5 and loses the rest.
 */
async function seed(instances: number, perInstance: number): Promise<void> {
  await sql(DB, 'TRUNCATE instances, backups_config, encryption_keys, backups CASCADE');
  await sql(
    DB,
    `INSERT INTO instances (id, name, type, credentials) SELECT 'inst-' || i, 'bench', 'postgresql', '\\x00' FROM generate_series(1, $1) i`,
    [instances],
  );
  await sql(
    DB,
    `INSERT INTO encryption_keys (id, instance_id, origin, sealed) SELECT gen_random_uuid(), 'inst-' || i, 'platform', '\\x00' FROM generate_series(1, $1) i`,
    [instances],
  );
  await sql(
    DB,
    `INSERT INTO backups_config (instance_id, min_backup_count, retention_time, active_key_id, updated_at)
     SELECT instance_id, 5, 5, id, now() FROM encryption_keys`,
  );
  await sql(
    DB,
    `INSERT INTO backups (instance_id, number, backup_id, status, size, storage_key, encryption_key_id, triggered_at, started_at, finished_at)
     SELECT k.instance_id, n, k.instance_id || '-' || n, 'done', 1, k.instance_id || '/' || n || '.tgz', k.id,
            now() - make_interval(days => $1 - n + 1), now(), now()
     FROM encryption_keys k CROSS JOIN generate_series(1, $1) n`,
    [perInstance],
  );
  await sql(DB, 'ANALYZE');
}

export async function benchRetention(): Promise<void> {
  console.log(
    '\n## Retention: one pruning pass (set-based), archives on the fs driver (absent: deletes are no-ops)',
  );
  const url = await freshStateDatabase(DB);
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-ret-'));
  const config = AppConfig.fromEnvironment({
    DATABASE_URL: url,
    ADMIN_TOKEN: randomBytes(16).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  const prisma = new PrismaService(config);
  await prisma.$connect();
  const clock: Clock = { now: () => new Date() };
  const service = new RetentionService(
    new RetentionRepository(prisma),
    new OrphanArchivesRepository(prisma),
    config,
    clock,
    new FsStorageDriver(scratch),
    new JobMetrics(new MetricsRegistry()),
  );
  try {
    const results: Array<{ rows: number; seconds: number; pruned: number }> = [];
    for (const [instances, perInstance] of [
      [10_000, 10],
      [100_000, 10],
    ] as const) {
      await seed(instances, perInstance);
      const started = process.hrtime.bigint();
      const pruned = await service.prune();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      results.push({ rows: instances * perInstance, seconds, pruned });
      console.log(
        `${String(instances * perInstance).padStart(9)} backups / ${String(instances).padStart(6)} instances: ${fmt(seconds)} s, pruned ${pruned}`,
      );
    }
    const [small, large] = results;
    console.log(
      `growth: ${large.rows / small.rows}× rows → ${fmt(large.seconds / small.seconds, 1)}× time`,
    );

    console.log('\n## Schedule: planning one period (a delayed job per instance, in Redis)');
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
    const planned: Array<{ instances: number; seconds: number }> = [];
    for (const instances of [10_000, 100_000]) {
      await seed(instances, 0);
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
    await Promise.all([maintenance.close(), backupsQueue.close()]);
  } finally {
    await prisma.$disconnect();
    rmSync(scratch, { recursive: true, force: true });
    await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
