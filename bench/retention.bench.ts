import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../src/core/config/app-config';
import { Clock } from '../src/core/clock/clock';
import { PrismaService } from '../src/core/prisma/prisma.service';
import { RetentionRepository } from '../src/retention/retention.repository';
import { RetentionService } from '../src/retention/retention.service';
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
    LOG_LEVEL: 'silent',
  });
  const prisma = new PrismaService(config);
  await prisma.$connect();
  const clock: Clock = { now: () => new Date() };
  const service = new RetentionService(
    new RetentionRepository(prisma),
    config,
    clock,
    new FsStorageDriver(scratch),
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
  } finally {
    await prisma.$disconnect();
    rmSync(scratch, { recursive: true, force: true });
    await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
