import { JobMetrics } from '../src/metrics/job-metrics';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../src/core/clock/clock';
import { RetentionRepository } from '../src/retention/retention.repository';
import { OrphanArchivesRepository } from '../src/storage/orphan-archives.repository';
import { RetentionService } from '../src/retention/retention.service';
import { FsStorageDriver } from '../src/storage/fs-storage.driver';
import { fmt, inProcessState, seedInstances, sql } from './support';

const DB = 'bm_bench_retention';

/**
 * Seeds `instances` instances with `perInstance` done backups each, one a day back from now,
 * retention_time 5 and min_backup_count 5: so each instance keeps 5 and loses the rest.
 */
async function seed(db: string, instances: number, perInstance: number): Promise<void> {
  await sql(
    db,
    'TRUNCATE instances, backups_config, encryption_keys, backup_rows, backup_prunings CASCADE',
  );
  await seedInstances(db, instances);
  await sql(
    db,
    `INSERT INTO backup_rows (instance_id, number, backup_id, status, size, storage_key, encryption_key_id, triggered_at, started_at, finished_at)
     SELECT k.instance_id, n, k.instance_id || '-' || n, 'done', 1, k.instance_id || '/' || n || '.tgz', k.id,
            now() - make_interval(days => $1 - n + 1), now(), now()
     FROM encryption_keys k CROSS JOIN generate_series(1, $1) n`,
    [perInstance],
  );
  await sql(db, 'ANALYZE');
}

export async function benchRetention(): Promise<void> {
  console.log(
    '\n## Retention: one pruning pass (set-based), archives on the fs driver (absent: deletes are no-ops)',
  );
  const { config, prisma } = await inProcessState(DB);
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-ret-'));
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
      await seed(DB, instances, perInstance);
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
