import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server } from '../test/support/s3';
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

export const SOURCE_DB = 'bm_bench_source';
const TARGET_DUMP_BYTES = Number(process.env.BENCH_DUMP_MB ?? 500) * 1024 * 1024;

/**
 * A source database whose plain dump is about BENCH_DUMP_MB (default 500) MB of rows that do
 * not compress well (random hex), created once and reused by later runs.
 */
export async function ensureSourceDatabase(): Promise<number> {
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

  try {
    const fsRun = await workerBackups({ STORAGE_PATH: join(scratch, 'storage') }, 2);
    const best = Math.min(...fsRun.runs.map((r) => r.seconds));
    console.log(
      `shell  pg_dump | gzip -${ARCHIVE_GZIP_LEVEL} | openssl enc > file   ${fmt(shellSeconds)} s   archive ${fmt(shellBytes / 2 ** 20, 1)} MiB`,
    );
    console.log(
      `worker dequeue → done (best of ${fsRun.runs.length})            ${fmt(best)} s   archive ${fmt(fsRun.runs[0].size / 2 ** 20, 1)} MiB   (${fsRun.runs.map((r) => fmt(r.seconds)).join(' s, ')} s)`,
    );
    console.log(`ratio worker / shell                                ${fmt(best / shellSeconds)}`);
    console.log(
      `worker throughput                                   ${fmt(dumpBytes / 2 ** 20 / best, 1)} MiB/s of dump`,
    );
    console.log(`worker peak RSS                                     ${fmt(fsRun.peakRss, 0)} MiB`);

    // the same backup into a bucket: an S3-compatible server (s3rver) on this machine, so the
    // time says more about that server than about S3; the memory is the multipart upload's
    const s3 = await startS3Server('bench');
    try {
      const s3Run = await workerBackups(s3.env, 1);
      console.log(
        `worker into s3 (s3rver, 1 run)                      ${fmt(s3Run.runs[0].seconds)} s   peak RSS ${fmt(s3Run.peakRss, 0)} MiB`,
      );
    } finally {
      await s3.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Takes `count` backups of the source database, one after the other, with the compiled worker
 * as its own process (storage settings from `storageEnv`); their times and the worker's peak RSS.
 */
async function workerBackups(
  storageEnv: Record<string, string>,
  count: number,
): Promise<{ runs: Array<{ seconds: number; size: number }>; peakRss: number }> {
  const stateUrl = await freshStateDatabase('bm_bench_state');
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: stateUrl,
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    QUEUE_PREFIX: `bm-bench-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '1',
    ...storageEnv,
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
    for (let run = 1; run <= count; run++) {
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
    return { runs, peakRss: peakRssMiB(worker.pid!) };
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await app.close();
    await sql('postgres', 'DROP DATABASE IF EXISTS bm_bench_state WITH (FORCE)');
  }
}
