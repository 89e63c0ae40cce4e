import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { testDatabaseName, withAdminClient } from './support/databases';
import { mariadb } from './support/mariadb';
import { dropDatabases, psql } from './support/postgres-fixtures';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { startRedisServer } from './support/servers';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';
import { waitForBackup, waitForRestore } from './support/test-worker';

/**
 * A restore whose tool fails part-way, whose target goes away, or whose temporary directory is
 * full ends `failed` with the real cause, promptly, and leaves nothing behind in the worker: no
 * open archive, no child process. The worker runs as a process of its own so that its file
 * descriptors and children can be read from /proc; its temporary directory is a small tmpfs.
 */
describe('restores that fail part-way', () => {
  let t: TestApp;
  let worker: RunningProcess;
  let tmp: string;
  let tmpfs = false;
  const databases: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    tmp = mkdtempSync(join(tmpdir(), 'bm-small-tmp-'));
    if (process.getuid?.() === 0) {
      // 2 MiB: room for option files, none for a Redis snapshot of several MiB
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=1777', 'tmpfs', tmp]);
      tmpfs = true;
    }
    worker = startEntry('worker.ts', processEnvFor(t, { TMPDIR: tmp }), process.cwd());
    await waitFor(
      async () => (await t.prisma.worker.count()) > 0,
      120000,
      'the worker to report itself',
    );
  });
  afterAll(async () => {
    await worker?.stop();
    if (tmpfs) execFileSync('umount', [tmp]);
    rmSync(tmp, { recursive: true, force: true });
    await t?.close();
    await dropDatabases(databases);
  });

  type Inst = { id: string; token: string };
  const auth = (i: Inst) => ({ Authorization: `Bearer ${i.token}` });

  async function backUp(i: Inst, n: number): Promise<void> {
    await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
    expect(await waitForBackup(t, i.id, i.token, n, ['done', 'failed'], 300000)).toMatchObject({
      status: 'done',
    });
  }

  async function startRestore(i: Inst, backupId: number): Promise<number> {
    const res = await t.http
      .post(`/v1/instances/${i.id}/restores`)
      .set(auth(i))
      .send({ backup_id: backupId })
      .expect(202);
    return (res.body as { id: number }).id;
  }

  /** Waits up to a minute (what a restore that failed may take to say so) for it to end. */
  const restoreEnded = (i: Inst, id: number) => waitForRestore(t, i, id, 60000);

  /** The restore ended, the worker holds no archive open and runs no tool any more. */
  async function expectNothingLeft(): Promise<void> {
    const pid = worker.child.pid!;
    const open = () =>
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return ''; // closed meanwhile
          }
        })
        .filter((target) => target.startsWith(t.config.storagePath));
    const children = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
          } catch {
            return false;
          }
        });
    // the record is written before the last cleanup finishes: allow it a moment
    await waitFor(
      () => Promise.resolve(open().length === 0 && children().length === 0),
      30000,
      'the worker to close the archive and end its tools',
    ).catch(() => {
      throw new Error(
        `left in the worker: open ${JSON.stringify(open())}, children ${JSON.stringify(children())}`,
      );
    });
  }

  /** Another backup of the instance is accepted: nothing of the failed restore holds it. */
  async function nextBackupAccepted(i: Inst): Promise<void> {
    await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
  }

  it('PostgreSQL: a schema the role does not own stops psql at DROP SCHEMA; a 190 MB restore ends failed with that reason', async () => {
    const db = testDatabaseName('owned');
    const role = testDatabaseName('owner');
    databases.push(db);
    await withAdminClient(async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`CREATE DATABASE ${db} OWNER ${role}`);
    });
    try {
      // about 190 MB of rows that compress only to half: the archive outgrows every buffer
      const url = `postgresql://${role}@127.0.0.1:5432/${db}`;
      execFileSync('psql', [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-d',
        url,
        '-c',
        `CREATE TABLE big (id int, a text, b text);
         INSERT INTO big SELECT i, md5(i::text) || md5((i * 7)::text), md5((i * 13)::text)
         FROM generate_series(1, 1400000) i;`,
      ]);
      psql(db, `CREATE SCHEMA locked`); // as the superuser: the instance's role does not own it
      const inst = await registerInstance(t, { type: 'postgresql', connection_url: url });
      await backUp(inst, 1);

      const result = await restoreEnded(inst, await startRestore(inst, 1));
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(/psql exited with code 3: .*must be owner of schema/);
      expect(psql(db, 'SELECT count(*) FROM big')).toBe('1400000');
      await expectNothingLeft();
      await nextBackupAccepted(inst);
      await waitForBackup(t, inst.id, inst.token, 2, ['done', 'failed'], 300000);
    } finally {
      await dropDatabases([db]);
      await withAdminClient((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  describe('PostgreSQL on a private server', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgresServer();
    });
    afterAll(() => pg?.destroy());

    it('the target server stopped mid-restore: failed, naming the lost connection; the data as it was', async () => {
      const client = new Client({ connectionString: pg.url() });
      await client.connect();
      await client.query(`CREATE TABLE big (id int, a text)`);
      await client.query(
        `INSERT INTO big SELECT i, md5(i::text) || md5((i * 7)::text) FROM generate_series(1, 600000) i`,
      );
      await client.end();
      const inst = await registerInstance(t, { type: 'postgresql', connection_url: pg.url() });
      await backUp(inst, 1);

      const id = await startRestore(inst, 1);
      // stop the server once psql is copying rows into it
      await waitFor(
        async () => {
          const c = new Client({ connectionString: pg.url() });
          await c.connect();
          try {
            const { rows } = await c.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity
               WHERE application_name = 'backup-manager' AND query LIKE 'COPY%'`,
            );
            return Number(rows[0].n) > 0;
          } finally {
            await c.end();
          }
        },
        120000,
        'the restore to copy rows',
      );
      pg.stop();
      const result = await restoreEnded(inst, id);
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(
        /psql (exited|was killed).*(terminat|connection|server)/i,
      );
      await expectNothingLeft();
      pg.start();
      // the transaction never committed
      const check = new Client({ connectionString: pg.url() });
      await check.connect();
      const { rows } = await check.query<{ n: string }>('SELECT count(*) AS n FROM big');
      await check.end();
      expect(rows[0].n).toBe('600000');
      await nextBackupAccepted(inst);
      await waitForBackup(t, inst.id, inst.token, 2, ['done', 'failed'], 300000);
    });
  });

  it('MariaDB: the connection killed mid-apply ends the restore failed, naming the lost connection', async () => {
    const db = testDatabaseName('kill');
    mariadb(`CREATE DATABASE ${db}`);
    try {
      mariadb(
        `CREATE TABLE items (id INT PRIMARY KEY, a VARCHAR(64), b VARCHAR(64)) ENGINE=InnoDB;
         INSERT INTO items SELECT seq, MD5(seq), MD5(seq * 7) FROM seq_1_to_600000;`,
        db,
      );
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://root@127.0.0.1:3306/${db}`,
      });
      await backUp(inst, 1);
      const id = await startRestore(inst, 1);
      const connection = await waitFor(
        () =>
          Promise.resolve(
            mariadb(
              `SELECT id FROM information_schema.processlist
               WHERE db = '${db}' AND command = 'Query' AND info LIKE 'INSERT%' LIMIT 1`,
            ),
          ),
        120000,
        'the restore to insert rows',
      );
      mariadb(`KILL ${connection}`);
      const result = await restoreEnded(inst, id);
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(
        /mariadb exited with code 1: .*(Lost connection|killed|gone away)/i,
      );
      await expectNothingLeft();
      await nextBackupAccepted(inst);
      await waitForBackup(t, inst.id, inst.token, 2, ['done', 'failed'], 300000);
    } finally {
      mariadb(`DROP DATABASE IF EXISTS ${db}`);
    }
  });

  it('Redis: a full temporary directory ends the restore failed, naming ENOSPC', async () => {
    if (!tmpfs) {
      throw new Error('this test mounts a small tmpfs and must run as root');
    }
    const server = await startRedisServer();
    const redis = new IORedis(server.url);
    try {
      // 8 MiB of incompressible values: a snapshot four times the temporary directory
      const p = redis.pipeline();
      for (let i = 0; i < 16; i++) p.set(`blob:${i}`, randomBytes(512 * 1024));
      await p.exec();
      const inst = await registerInstance(t, { type: 'redis', connection_url: server.url });
      await backUp(inst, 1);
      await redis.set('blob:0', 'changed');
      const result = await restoreEnded(inst, await startRestore(inst, 1));
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(/ENOSPC/);
      await expectNothingLeft();
      expect(readdirSync(tmp).filter((n) => n.startsWith('bm-redis-restore-'))).toEqual([]);
      await nextBackupAccepted(inst);
      await waitForBackup(t, inst.id, inst.token, 2, ['done', 'failed'], 300000);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
