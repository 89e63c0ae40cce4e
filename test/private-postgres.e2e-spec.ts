import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startPrivatePostgres } from '../src/engines/postgresql/private-postgres';
import { RestoreFailedError } from '../src/engines/shared/restore-process';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { Readable } from 'node:stream';

/**
 * The private server that base-backup restores and point-in-time recovery start: over a real
 * `pg_basebackup` of a cluster this test runs, on a unix socket only.
 */
describe('a private PostgreSQL server over a base backup', () => {
  let pg: PostgresServer;

  beforeAll(async () => {
    pg = await startPostgresServer();
    const c = new Client({ connectionString: pg.url() });
    await c.connect();
    await c.query(
      'CREATE TABLE items AS SELECT i AS id, md5(i::text) AS v FROM generate_series(1, 5000) i',
    );
    await c.query("ALTER SYSTEM SET listen_addresses = '*'"); // must not reach the private server
    await c.end();
  });
  afterAll(() => pg?.destroy());

  const baseBackup = () => {
    const child = spawn(
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-Ft', '-X', 'fetch', '-D', '-'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return child.stdout;
  };

  it('starts on the unpacked cluster, answers on its socket only, and leaves nothing behind', async () => {
    const server = await startPrivatePostgres(baseBackup());
    try {
      expect(server.major).toBeGreaterThanOrEqual(13);
      const c = new Client({ connectionString: server.url('postgres', 'postgres') });
      await c.connect();
      const rows = await c.query(
        "SELECT count(*)::int AS n, current_setting('listen_addresses') AS l FROM items",
      );
      await c.end();
      expect(rows.rows[0]).toEqual({ n: 5000, l: '' });
    } finally {
      await server.destroy();
    }
    expect(existsSync(server.socketDir)).toBe(false);
  });

  it('refuses an archive that is not a base backup, and removes what it unpacked', async () => {
    await expect(startPrivatePostgres(Readable.from([Buffer.alloc(10240)]))).rejects.toThrow(
      RestoreFailedError,
    );
    await expect(startPrivatePostgres(Readable.from(['not a tar file']))).rejects.toThrow(
      /could not be unpacked|PG_VERSION/,
    );
  });
});
