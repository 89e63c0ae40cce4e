/**
 * `npm run chaos`: the service as an operator runs it (one API process, one worker process) on a
 * private Redis and a private PostgreSQL that this script breaks, while a ~200 MB backup runs:
 * Redis is killed and comes back empty 20 s later, then PostgreSQL is stopped for 20 s while
 * the dump finishes. The backup must end `done` with an archive that opens, storage must hold
 * no file that no backup owns, and every log line of both processes must be JSON. The shared
 * services on the standard ports are only used for the source database being backed up.
 * Exits non-zero on any failure.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl, migrateDatabase, withAdminClient } from '../test/support/databases';
import { holdTableLock } from '../test/support/postgres-fixtures';
import { startPostgresServer } from '../test/support/postgres-server';
import { RunningProcess, startEntry, waitFor } from '../test/support/processes';
import { freePort, startRedisServer } from '../test/support/servers';

const SOURCE_ROWS = Number(process.env.CHAOS_ROWS ?? 2_000_000); // ~200 MB of dump
const log = (msg: string) => console.log(`[chaos ${new Date().toISOString()}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  const source = `bm_chaos_src_${randomBytes(4).toString('hex')}`;
  log(`creating source database ${source} (${SOURCE_ROWS} rows)`);
  await withAdminClient((c) => c.query(`CREATE DATABASE ${source}`));
  execFileSync('psql', [
    '-X',
    '-q',
    '-d',
    databaseUrl(source),
    '-c',
    `CREATE TABLE data AS SELECT i, md5(i::text) || md5((i * 7)::text) AS a, repeat('x', 20) AS b
     FROM generate_series(1, ${SOURCE_ROWS}) i`,
  ]);

  let redis = await startRedisServer();
  const pg = await startPostgresServer();
  const storage = mkdtempSync(join(tmpdir(), 'bm-chaos-storage-'));
  const procs: RunningProcess[] = [];
  try {
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE backup_manager');
    await admin.end();
    migrateDatabase(pg.url('backup_manager'));

    const port = await freePort();
    const adminToken = randomBytes(24).toString('hex');
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: pg.url('backup_manager'),
      REDIS_URL: redis.url,
      STORAGE_PATH: storage,
      ADMIN_TOKEN: adminToken,
      MASTER_KEY: randomBytes(32).toString('hex'),
      BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
      PORT: String(port),
    };
    const api = startEntry('main.ts', env, process.cwd());
    const worker = startEntry('worker.ts', env, process.cwd());
    procs.push(api, worker);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 180000, 'the API');
    await waitFor(
      () => Promise.resolve(worker.output().includes('worker running')),
      180000,
      'the worker',
    );

    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const inst = await call('POST', '/admin/v1/instances', adminToken, {
      name: 'chaos',
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const id = inst.body.id as string;
    const token = (
      await call('POST', '/admin/v1/tokens', adminToken, { name: 'chaos', instances: [id] })
    ).body.token as string;
    const key = 'chaos-encryption-key';
    await call('PATCH', `/v1/instances/${id}/backups-config`, token, { encryption_key: key });

    // the dump waits on this lock until the script lets it finish, inside the database outage
    const lock = await holdTableLock(source, 'data');
    check((await call('POST', `/v1/instances/${id}/backups`, token)).status === 202, 'POST → 202');
    const status = async () => (await call('GET', `/v1/instances/${id}/backups/1`, token)).body;
    await waitFor(async () => (await status()).status === 'running', 120000, 'running');
    log('backup running; killing Redis');

    await redis.stop();
    await sleep(20000);
    redis = await startRedisServer(redis.port);
    log('Redis back, empty; waiting for a recovery sweep (every 60 s) to have run');
    await sleep(70000);
    check((await status()).status === 'running', 'the backup is still running after the sweep');

    log('stopping PostgreSQL for 20 s; the dump finishes meanwhile');
    pg.stop();
    await lock.release();
    const during = await fetch(`${base}/v1/instances/${id}/backups`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    check(during.status === 503, `a read during the outage answers 503 (got ${during.status})`);
    await sleep(20000);
    pg.start();
    log('PostgreSQL back');

    const final = await waitFor(
      async () => {
        const b = await status();
        return b.status === 'done' || b.status === 'failed' ? b : null;
      },
      600000,
      'the backup to finish',
    );
    check(final.status === 'done', `the backup ends done (got ${String(final.status)})`);
    check(
      /database unavailable, trying again.*result of backup/.test(worker.output()),
      'the archive was complete while PostgreSQL was away, and its result waited for it',
    );

    const files = readdirSync(storage, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    check(files.length === 1, `storage holds exactly one file (got ${files.length})`);
    if (files.length === 1) {
      log(`archive: ${(statSync(files[0]).size / 1e6).toFixed(1)} MB`);
      const lines = execFileSync(
        'sh',
        [
          '-c',
          `openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$IN" | gunzip -c | grep -c '^[0-9]'`,
        ],
        { env: { ...process.env, KEY: key, IN: files[0] }, encoding: 'utf8', maxBuffer: 1e6 },
      ).trim();
      check(Number(lines) === SOURCE_ROWS, `the archive opens and holds every row (${lines})`);
    }

    for (const p of procs) await p.stop('SIGTERM');
    for (const [name, p] of [
      ['API', api],
      ['worker', worker],
    ] as const) {
      const bad = p
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .filter((l) => {
          try {
            return typeof JSON.parse(l) !== 'object';
          } catch {
            return true;
          }
        });
      check(bad.length === 0, `every ${name} log line is JSON (${bad.length} are not)`);
      if (bad.length > 0) console.log(bad.slice(0, 5).join('\n'));
    }
  } finally {
    for (const p of procs) await p.stop('SIGKILL');
    await redis.stop();
    pg.destroy();
    rmSync(storage, { recursive: true, force: true });
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`));
  }
  if (failures.length > 0) {
    log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  log('all checks passed');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
