import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/core/config/app-config';
import { ARCHIVE_GZIP_LEVEL } from '../src/archive/archive-format';
import {
  dbUrl,
  fmt,
  freshStateDatabase,
  peakRssMiB,
  registerWithKey,
  sql,
  startCompiled,
  time,
} from './support';

const SOURCE_DB = 'bm_bench_source';
const TARGET_DUMP_BYTES = Number(process.env.BENCH_DUMP_MB ?? 500) * 1024 * 1024;

/**
 * A source database whose plain dump is about BENCH_DUMP_MB (default 500) MB of rows that do
 * not compress well (random hex), created once and reused by later runs.
 */
async function ensureSourceDatabase(): Promise<number> {
  const exists = await sql('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [SOURCE_DB]);
  if (exists.length === 0) {
    await sql('postgres', `CREATE DATABASE ${SOURCE_DB}`);
    const rows = Math.round(TARGET_DUMP_BYTES / 168);
    console.log(`seeding ${SOURCE_DB} with ${rows} rows…`);
    await sql(
      SOURCE_DB,
      `CREATE TABLE samples AS SELECT i AS id, md5(random()::text) || md5(random()::text) AS a,
         md5(random()::text) || md5(i::text) AS b, now() - (i || ' seconds')::interval AS at
       FROM generate_series(1, ${rows}) i`,
    );
  }
  const [{ size }] = await sql<{ size: string }>(
    'postgres',
    'SELECT pg_database_size($1)::text AS size',
    [SOURCE_DB],
  );
  return Number(size);
}

function shellPipeline(out: string): number {
  return time(() =>
    execFileSync(
      'sh',
      [
        '-c',
        `pg_dump "$SRC" | gzip -${ARCHIVE_GZIP_LEVEL} | openssl enc -aes256 -md md5 -pass pass:bench-key-123 > "$OUT" 2>/dev/null`,
      ],
      { env: { ...process.env, SRC: dbUrl(SOURCE_DB), OUT: out } },
    ),
  ).seconds;
}

export async function benchPipeline(): Promise<void> {
  console.log('\n## Backup pipeline (issue: dump → gzip → encrypt → storage)');
  const dbBytes = await ensureSourceDatabase();
  const dumpBytes = Number(
    execFileSync('sh', ['-c', `pg_dump "$SRC" | wc -c`], {
      env: { ...process.env, SRC: dbUrl(SOURCE_DB) },
    }).toString(),
  );
  console.log(
    `source database ${fmt(dbBytes / 2 ** 20, 0)} MiB on disk, plain dump ${fmt(dumpBytes / 2 ** 20, 0)} MiB`,
  );

  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-'));
  const shellOut = join(scratch, 'shell.tgz');
  const shellSeconds = Math.min(shellPipeline(shellOut), shellPipeline(shellOut));
  const shellBytes = statSync(shellOut).size;

  const stateUrl = await freshStateDatabase('bm_bench_state');
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: stateUrl,
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    STORAGE_PATH: join(scratch, 'storage'),
    QUEUE_PREFIX: `bm-bench-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '1',
  };
  const config = AppConfig.fromEnvironment(env);
  const app = await createApp(config, false);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const worker = startCompiled('worker', env);
  try {
    const inst = await registerWithKey(
      base,
      env.ADMIN_TOKEN,
      { type: 'postgresql', connection_url: dbUrl(SOURCE_DB) },
      'bench-key-123',
    );
    const auth = { Authorization: `Bearer ${inst.token}`, 'Content-Type': 'application/json' };

    const runs: Array<{ seconds: number; size: number }> = [];
    for (let run = 1; run <= 2; run++) {
      const res = await fetch(`${base}/v1/instances/${inst.id}/backups`, {
        method: 'POST',
        headers: auth,
      });
      const { id } = (await res.json()) as { id: number };
      for (;;) {
        const b = (await (
          await fetch(`${base}/v1/instances/${inst.id}/backups/${id}`, { headers: auth })
        ).json()) as {
          status: string;
          started_at: string;
          finished_at: string;
          size: number;
        };
        if (b.status === 'failed') throw new Error('benchmark backup failed');
        if (b.status === 'done') {
          runs.push({
            seconds: (Date.parse(b.finished_at) - Date.parse(b.started_at)) / 1000,
            size: b.size,
          });
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const rss = peakRssMiB(worker.pid!);
    const best = Math.min(...runs.map((r) => r.seconds));
    console.log(
      `shell  pg_dump | gzip -${ARCHIVE_GZIP_LEVEL} | openssl enc > file   ${fmt(shellSeconds)} s   archive ${fmt(shellBytes / 2 ** 20, 1)} MiB`,
    );
    console.log(
      `worker dequeue → done (best of ${runs.length})            ${fmt(best)} s   archive ${fmt(runs[0].size / 2 ** 20, 1)} MiB   (${runs.map((r) => fmt(r.seconds)).join(' s, ')} s)`,
    );
    console.log(`ratio worker / shell                                ${fmt(best / shellSeconds)}`);
    console.log(
      `worker throughput                                   ${fmt(dumpBytes / 2 ** 20 / best, 1)} MiB/s of dump`,
    );
    console.log(`worker peak RSS                                     ${fmt(rss, 0)} MiB`);
  } finally {
    worker.kill('SIGTERM');
    await app.close();
    rmSync(scratch, { recursive: true, force: true });
    await sql('postgres', 'DROP DATABASE IF EXISTS bm_bench_state WITH (FORCE)');
  }
}
