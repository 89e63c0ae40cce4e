import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './servers';
import { Client } from 'pg';
import { migrateDatabase } from './databases';

export interface PostgresServer {
  port: number;
  /** a URL to the database `name` on this server */
  url(name?: string): string;
  /** runs one statement on `database` over a connection of its own; its rows */
  query(sql: string, database?: string): Promise<Record<string, unknown>[]>;
  start(): void;
  /** stops the server at once (fast shutdown: open connections are cut) */
  stop(): void;
  destroy(): void;
}

/** The server binaries of the newest PostgreSQL installed (Debian keeps them off the PATH). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    : [];
  if (majors.length > 0) {
    return join(root, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
  }
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

/**
 * A private PostgreSQL cluster (initdb into a temporary directory) on a free port, for tests
 * that stop the service's own database; the shared server on the standard port is never
 * touched. Runs as the `postgres` user when the tests run as root (PostgreSQL refuses root).
 */
export async function startPostgresServer(
  options: {
    /** serve TLS with this certificate, and accept TCP connections over TLS only */
    tls?: { cert: string; key: string };
    /** roles other than postgres log in with their password over TCP (postgres stays trusted) */
    passwords?: boolean;
    /** server settings besides the defaults, e.g. `{ track_commit_timestamp: 'on' }` */
    settings?: Record<string, string>;
  } = {},
): Promise<PostgresServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bm-pg-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const bin = binDir();
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stdout}\n${r.stderr}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  let tlsOptions = '';
  if (options.tls) {
    // the server reads its key only when the server's user owns it, mode 0600
    for (const [from, to] of [
      [options.tls.cert, 'server.crt'],
      [options.tls.key, 'server.key'],
    ]) {
      copyFileSync(from, join(data, to));
      chmodSync(join(data, to), 0o600);
      if (owner) chownSync(join(data, to), owner.uid, owner.gid);
    }
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl replication all 127.0.0.1/32 trust\n',
    );
    tlsOptions = ' -c ssl=on';
  } else if (options.passwords) {
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
    );
  }
  const settings = Object.entries(options.settings ?? {})
    .map(([name, value]) => ` -c ${name}=${value}`)
    .join('');
  const server: PostgresServer = {
    port,
    url: (name = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${name}`,
    query: async (sql, database = 'postgres') => {
      const c = new Client({ connectionString: server.url(database) });
      await c.connect();
      try {
        return (await c.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    },
    start: () =>
      run('pg_ctl', [
        '-D',
        data,
        '-w',
        '-t',
        '60',
        '-l',
        join(dir, 'log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${tlsOptions}${settings}`,
        'start',
      ]),
    stop: () => run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']),
    destroy: () => {
      try {
        server.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.start();
  return server;
}

/**
 * A private cluster holding the service's own database, migrated: for the tests that stop
 * the service's PostgreSQL. `url` is the service database's URL.
 */
export async function startServiceDatabaseServer(): Promise<{ pg: PostgresServer; url: string }> {
  const pg = await startPostgresServer();
  const admin = new Client({ connectionString: pg.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE backup_manager');
  await admin.end();
  migrateDatabase(pg.url('backup_manager'));
  return { pg, url: pg.url('backup_manager') };
}
