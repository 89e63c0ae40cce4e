import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../src/core/config/app-config';
import { PrismaService } from '../src/core/prisma/prisma.service';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeArgsFor, nodeEnvFor } = require('../scripts/node-args') as {
  nodeArgsFor: (entry: string) => string[];
  nodeEnvFor: (entry: string) => Record<string, string>;
};

export const ROOT = join(__dirname, '..');
export const PG_ROOT =
  process.env.BENCH_DATABASE_ROOT_URL ?? 'postgresql://postgres@127.0.0.1:5432';
export const dbUrl = (name: string) => `${PG_ROOT}/${name}`;

export async function sql<T = Record<string, unknown>>(
  db: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: dbUrl(db) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A fresh database with the service's schema, migrated by the real migration command. */
export async function freshStateDatabase(name: string): Promise<string> {
  await sql('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql('postgres', `CREATE DATABASE ${name}`);
  execFileSync(process.execPath, [join(ROOT, 'scripts/prisma.js'), 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: dbUrl(name) },
    stdio: 'ignore',
  });
  return dbUrl(name);
}

/**
 * The environment of a bench's own API and worker: a fresh state database `stateDb`, new
 * secrets, a queue prefix of its own, storage under `scratch`, one job at a time.
 */
export async function serviceEnvironment(
  stateDb: string,
  scratch: string,
): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: await freshStateDatabase(stateDb),
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    QUEUE_PREFIX: `bm-bench-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '1',
    STORAGE_PATH: join(scratch, 'storage'),
  };
}

/**
 * The settings and a connected Prisma client of a bench that calls the services in-process
 * (no API, no worker) on the fresh state database `db`.
 */
export async function inProcessState(
  db: string,
): Promise<{ config: AppConfig; prisma: PrismaService }> {
  const config = AppConfig.fromEnvironment({
    DATABASE_URL: await freshStateDatabase(db),
    ADMIN_TOKEN: randomBytes(16).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  const prisma = new PrismaService(config);
  await prisma.$connect();
  return { config, prisma };
}

/**
 * Registers `count` instances `inst-1`… in the state database `db` without the API (which would
 * take minutes for 100,000): each with a platform key and a config of retention_time 5 and
 * min_backup_count 5. `name` is the SQL for an instance's name from its number `i`.
 */
export async function seedInstances(db: string, count: number, name = "'bench'"): Promise<void> {
  await sql(
    db,
    `INSERT INTO instances (id, name, type, credentials)
     SELECT 'inst-' || i, ${name}, 'postgresql', '\\x00' FROM generate_series(1, $1) i`,
    [count],
  );
  await sql(
    db,
    `INSERT INTO encryption_keys (id, instance_id, origin, sealed)
     SELECT gen_random_uuid(), id, 'platform', '\\x00' FROM instances`,
  );
  await sql(
    db,
    `INSERT INTO backups_config (instance_id, min_backup_count, retention_time, active_key_id, updated_at)
     SELECT instance_id, 5, 5, id, now() FROM encryption_keys`,
  );
}

/**
 * Waits (up to two minutes) until the local PostgreSQL's autovacuum has nothing running: a
 * section that wrote millions of rows leaves it busy, which the next section would pay for.
 */
export async function untilDatabaseQuiet(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const [{ busy }] = await sql<{ busy: number }>(
      'postgres',
      "SELECT count(*)::int AS busy FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'",
    );
    if (busy === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Peak resident set size of a live process (Linux VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * Starts a compiled entry point (dist/<entry>.js) with exactly `env` (plus PATH), with the
 * variables and Node flags of its start script in package.json (and BENCH_NODE_ARGS, which also
 * shows its output).
 */
export function startCompiled(entry: string, env: Record<string, string>): ChildProcess {
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const nodeArgs = [...nodeArgsFor(`${entry}.js`), ...extra];
  return spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', `${entry}.js`)], {
    env: {
      PATH: process.env.PATH ?? '',
      ...nodeEnvFor(`${entry}.js`),
      ...env,
    },
    stdio: ['ignore', extra.length > 0 ? 'inherit' : 'ignore', 'inherit'],
  });
}

/** A live process's resident set size in KiB (0 once it is gone). */
function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Current resident set size of a live process, in MiB. */
export const rssMiB = (pid: number) => rssKiB(pid) / 1024;

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString());

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  // fields after the command name: state is the 3rd field, utime the 14th, stime the 15th
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export function time<T>(work: () => T): { value: T; seconds: number } {
  const started = process.hrtime.bigint();
  const value = work();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

/**
 * Registers an instance through the admin API, mints a token for it and sets the user's
 * encryption key, as an operator and a developer would; returns the instance id and token.
 */
export async function registerWithKey(
  base: string,
  adminToken: string,
  instance: { type: string; connection_url: string },
  encryptionKey: string,
): Promise<{ id: string; token: string }> {
  const post = async (path: string, token: string, body: unknown, method = 'POST') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const { id } = await post('/admin/v1/instances', adminToken, { name: 'bench', ...instance });
  const { token } = await post('/admin/v1/tokens', adminToken, { name: 'bench', instances: [id] });
  await post(
    `/v1/instances/${id}/backups-config`,
    token,
    { encryption_key: encryptionKey },
    'PATCH',
  );
  return { id, token };
}

/** The pids of a live process's children (none once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Samples the memory of every private server of `kind` (pg, mariadb, redis) a worker runs, its
 * processes and their children, in MiB.
 */
export function watchPrivateServers(kind = 'pg'): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const postmasters = readdirSync(tmpdir())
      .filter((d) => d.startsWith(`bm-private-${kind}-`))
      .map((d) => join(tmpdir(), d, 'server.pid'))
      .filter((f) => existsSync(f))
      .map((f) => Number(readFileSync(f, 'utf8')));
    // read from /proc, not by running `ps`: a process started four times a second would take
    // the CPU the measured work runs on
    const kib = postmasters
      .flatMap((pid) => [pid, ...childrenOf(pid)])
      .reduce((sum, pid) => sum + rssKiB(pid), 0);
    peak = Math.max(peak, kib / 1024);
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** A TCP port free on the loopback interface right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * The compiled API alone on a free port over the state database `databaseUrl`, with new
 * secrets and a queue prefix of its own; resolves once `/health` answers.
 */
export async function startBenchApi(
  databaseUrl: string,
): Promise<{ api: ChildProcess; base: string; adminToken: string }> {
  const port = await freePort();
  const adminToken = randomBytes(16).toString('hex');
  const api = startCompiled('main', {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    ADMIN_TOKEN: adminToken,
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    QUEUE_PREFIX: `bm-bench-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${base}/health`).catch(() => null))?.ok) break;
    if (i > 600) {
      api.kill('SIGTERM');
      throw new Error('the API did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { api, base, adminToken };
}
