import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { chownSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from 'pg';
import { baseEnvironment, lastLines } from '../shared/dump-process';
import { PG_TOOLS_ROOT } from './pg-tools';
import type { RecoveryOptions, TableCount } from '../shared/dump-engine';
import {
  Owner,
  makeDataDir,
  makePrivateDir,
  recordServer,
  runTool,
  serverUser,
} from '../shared/private-dirs';
import { RestoreFailedError } from '../shared/restore-process';

/** A PostgreSQL server of our own, on a unix socket only, over a copy of an instance's cluster. */
export interface PrivatePostgres {
  /** the directory of its unix socket */
  readonly socketDir: string;
  /** the major version of the cluster (its PG_VERSION) */
  readonly major: number;
  /** a libpq URL to `database` as `user` over the socket (local connections are trusted) */
  url(database: string, user: string): string;
  /** stops the server at once and removes its directory, whatever state it is in */
  destroy(): Promise<void>;
}

/** How long the server may take to accept connections (a long recovery included). */
const START_TIMEOUT_MS = 30 * 60_000;

export interface PrivatePostgresOptions {
  /** awaited once the whole archive is unpacked and before the server starts; may reject */
  beforeStart?: () => Promise<void> | void;
  /** recover to a later moment: the server replays the WAL fetched into a private directory */
  recovery?: RecoveryOptions;
}

/**
 * Starts a private server on a base backup read from `tar` (what `pg_basebackup -Ft -D -`
 * writes): extracted into a new directory of mode 0700, started with the binaries of the
 * cluster's own major, listening on a unix socket in that directory and on no TCP port, local
 * connections trusted, and none of the instance's own settings that could reach outside
 * (archiving, replication, preloaded libraries, its listen addresses). When the worker runs as
 * root, the server runs as the `postgres` user (PostgreSQL refuses root). Rejects with
 * RestoreFailedError, and leaves nothing behind, when the archive or the server fails.
 */
export async function startPrivatePostgres(
  tar: Readable,
  options: PrivatePostgresOptions = {},
): Promise<PrivatePostgres> {
  return startServer(async (data, dir, owner) => {
    await extract(tar, data, owner);
    // e.g. the archive's checksum: nothing of a damaged archive is ever run
    await options.beforeStart?.();
    const autoConf = join(data, 'postgresql.auto.conf');
    // the cluster's own automatic settings could point anywhere: replaced by nothing
    writeFileSync(autoConf, '', { mode: 0o600 });
    if (owner) chownSync(autoConf, owner.uid, owner.gid);
    return options.recovery ? prepareRecovery(dir, options.recovery, owner) : {};
  });
}

/**
 * The superuser of a scratch cluster: a name of the service's own, so that an instance's user
 * (`postgres` included) is made there an ordinary role.
 */
export const SCRATCH_SUPERUSER = 'backup_manager_scratch';

/**
 * Starts an empty private server of PostgreSQL `major` (a new cluster, superuser
 * SCRATCH_SUPERUSER, UTF-8), as startPrivatePostgres does otherwise: a scratch server to
 * restore a dump into. The cluster is a copy of one `initdb` made once per major for the life of the worker (a copy takes
 * a tenth of initdb's second), kept in a private directory of its own.
 */
export async function startEmptyPostgres(major: number): Promise<PrivatePostgres> {
  return startServer(async (data, _dir, owner) => {
    try {
      await runTool('cp', ['-a', `${await templateCluster(major, owner)}/.`, data], owner);
    } catch (err) {
      if (err instanceof RestoreFailedError && !err.message.startsWith('cp ')) throw err;
      // the template went missing (a cleaner of the temporary directory): make it again
      templates.delete(major);
      await runTool('cp', ['-a', `${await templateCluster(major, owner)}/.`, data], owner);
    }
    // a scratch cluster is thrown away after a crash: no WAL beyond what it needs to run
    return { wal_level: 'minimal', full_page_writes: 'off', max_wal_size: '4GB' };
  });
}

/** The data directory of an empty cluster of each major, made once by this worker. */
const templates = new Map<number, Promise<string>>();

function templateCluster(major: number, owner: Owner | null): Promise<string> {
  let made = templates.get(major);
  if (!made) {
    made = (async () => {
      const dir = makePrivateDir(`pg${major}-template`);
      const data = makeDataDir(dir, owner);
      const initdb = join(PG_TOOLS_ROOT, String(major), 'bin', 'initdb');
      const args = ['-D', data, '-U', SCRATCH_SUPERUSER, '--auth=trust', '--encoding=UTF8'];
      await runTool(initdb, [...args, '--locale=C.UTF-8', '--no-sync'], owner).catch(
        (err: Error) => {
          rmSync(dir, { recursive: true, force: true });
          throw (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? new RestoreFailedError(
                `PostgreSQL ${major} is not installed on this worker (install postgresql-${major})`,
              )
            : err;
        },
      );
      return data;
    })();
    templates.set(major, made);
    made.catch(() => templates.delete(major));
  }
  return made;
}

/**
 * The private directory, its cluster in `data` made by `prepare` (which returns settings of its
 * own), and the server started on it.
 */
async function startServer(
  prepare: (data: string, dir: string, owner: Owner | null) => Promise<Record<string, string>>,
): Promise<PrivatePostgres> {
  const owner = serverUser('postgres', 'PostgreSQL');
  const dir = makePrivateDir('pg');
  let server: ChildProcess | undefined;
  let output = '';
  const destroy = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGQUIT'); // immediate shutdown: nothing of this server is kept
      const exited = once(server, 'exit');
      const timer = setTimeout(() => server?.kill('SIGKILL'), 10_000);
      await exited.catch(() => undefined);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const data = makeDataDir(dir, owner);
    const own = await prepare(data, dir, owner);
    const major = Number(readFileSync(join(data, 'PG_VERSION'), 'utf8').trim());
    if (!Number.isInteger(major)) throw new RestoreFailedError('the base backup has no PG_VERSION');
    const bin = join(PG_TOOLS_ROOT, String(major), 'bin', 'postgres');
    const config = join(dir, 'postgresql.conf');
    const hba = join(dir, 'pg_hba.conf');
    const ident = join(dir, 'pg_ident.conf');
    writeFileSync(config, '');
    writeFileSync(hba, 'local all all trust\n');
    writeFileSync(ident, '');
    const settings: Record<string, string> = {
      config_file: config,
      hba_file: hba,
      ident_file: ident,
      listen_addresses: '',
      unix_socket_directories: dir,
      unix_socket_permissions: '0700',
      port: '5432',
      archive_mode: 'off',
      shared_preload_libraries: '',
      max_wal_senders: '0',
      wal_level: 'replica',
      hot_standby: 'off',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'on',
      logging_collector: 'off',
      ...own,
    };
    const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    server = spawn(bin, args, {
      env: baseEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // Ctrl-C in the worker's terminal must not reach it
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    recordServer(dir, server.pid);
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    const spawned = server;
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new RestoreFailedError(
            err.code === 'ENOENT'
              ? `the base backup is of PostgreSQL ${major}, whose server is not installed on this worker (install postgresql-${major})`
              : `the private PostgreSQL server could not start: ${err.message}`,
          ),
        ),
      );
      spawned.once('exit', (code, signal) =>
        reject(
          new RestoreFailedError(
            `the private PostgreSQL server stopped (${signal ?? `code ${code}`}): ${lastLines(
              output
                .split('\n')
                .filter((l) => /FATAL|PANIC|ERROR/.test(l))
                .join('\n') || output,
              2,
            )}`,
          ),
        ),
      );
    });
    failed.catch(() => undefined);
    await Promise.race([
      failed,
      ready(dir, START_TIMEOUT_MS, () => spawned.exitCode !== null || spawned.signalCode !== null),
    ]);
    return {
      socketDir: dir,
      major,
      url: (database, user) =>
        `postgresql://${encodeURIComponent(user)}@/${encodeURIComponent(database)}?host=${encodeURIComponent(dir)}`,
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err instanceof RestoreFailedError
      ? err
      : new RestoreFailedError(
          `the private PostgreSQL server could not start: ${(err as Error).message}`,
        );
  }
}

/**
 * Archive recovery: the WAL the recovery needs is fetched into `<dir>/wal` (never the server's
 * own pg_wal), which the server's restore_command copies from; `recovery.signal` makes the server
 * replay it up to the target (or to its end) and then open as a primary.
 */
async function prepareRecovery(
  dir: string,
  recovery: RecoveryOptions,
  owner: Owner | null,
): Promise<Record<string, string>> {
  const wal = join(dir, 'wal');
  mkdirSync(wal, { mode: 0o700 });
  await recovery.fetchWal(wal);
  const signal = join(dir, 'data', 'recovery.signal');
  writeFileSync(signal, '', { mode: 0o600 });
  rmSync(join(dir, 'data', 'standby.signal'), { force: true });
  if (owner) {
    for (const path of [wal, signal, ...readdirSync(wal).map((f) => join(wal, f))]) {
      chownSync(path, owner.uid, owner.gid);
    }
  }
  return {
    restore_command: `cp "${wal}/%f" "%p"`,
    recovery_target_timeline: 'current',
    recovery_target_action: 'promote',
    // PostgreSQL reads this form of a moment, not ISO 8601's T and Z
    ...(recovery.targetTime
      ? {
          recovery_target_time: recovery.targetTime.replace('T', ' ').replace('Z', '+00'),
        }
      : {}),
  };
}

/** Extracts a tar stream into `data` with the system's tar, as the server's user. */
async function extract(tar: Readable, data: string, owner: Owner | null): Promise<void> {
  const child = spawn('tar', ['-x', '-f', '-', '-C', data, '--no-same-owner'], {
    env: baseEnvironment(),
    stdio: ['pipe', 'ignore', 'pipe'],
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdin.on('error', () => undefined);
  let inputError: Error | undefined;
  tar.once('error', (err: Error) => {
    inputError = err;
    child.kill('SIGKILL');
  });
  tar.pipe(child.stdin);
  const [code] = (await once(child, 'close')) as [number | null];
  if (inputError) throw inputError;
  // tar stops at its end-of-archive blocks; the rest (padding) is read too, so that whatever
  // watches the stream (its checksum) has seen all of it
  if (code === 0 && !tar.readableEnded) {
    tar.unpipe(child.stdin);
    tar.resume();
    await finished(tar);
  }
  if (code !== 0) {
    throw new RestoreFailedError(
      `the base backup could not be unpacked: tar: ${lastLines(stderr, 2)}`,
    );
  }
}

/**
 * Waits until the server on the socket in `dir` accepts a connection (recovery may take long),
 * or it exited.
 */
async function ready(dir: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // a scratch server is up within a few hundred milliseconds, a recovery may take minutes
  let pause = 25;
  for (;;) {
    if (exited()) return; // the caller learns why from the exit itself
    const client = new Client({ host: dir, port: 5432, database: 'template1', user: 'postgres' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      // a role other than postgres owns the cluster: the server answered, it is up
      if (/role .* does not exist/.test((err as Error).message)) return;
      if (Date.now() > deadline) {
        throw new RestoreFailedError(
          `the private PostgreSQL server did not accept connections within ${timeoutMs / 1000} s`,
        );
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 200);
    }
  }
}

/**
 * The rows of each ordinary table (partitions included, partitioned parents not: their rows are
 * their partitions') in `database` on a private server, each table named as pg_dump names it.
 */
export async function countTables(
  server: PrivatePostgres,
  database: string,
  /** a role of the cluster (local connections are trusted): an instance's may lack `postgres` */
  user: string,
): Promise<TableCount[]> {
  const client = new Client({ host: server.socketDir, port: 5432, database, user });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ written: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS written
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg\\_toast%'
       ORDER BY 1`,
    );
    const counted: TableCount[] = [];
    for (const { written } of rows) {
      // ONLY: a parent of inheritance children counts its own rows, as pg_dump's COPY holds them
      const res = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ONLY ${written}`,
      );
      counted.push({ table: written, rows: Number(res.rows[0].n) });
    }
    return counted;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs one statement as a scratch cluster's superuser in `database` on a private server. */
export async function runOnPrivate(
  server: PrivatePostgres,
  database: string,
  sql: string,
): Promise<void> {
  const client = new Client({
    host: server.socketDir,
    port: 5432,
    database,
    user: SCRATCH_SUPERUSER,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
