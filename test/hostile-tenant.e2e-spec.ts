import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptArchive } from './support/archives';
import { mariadb } from './support/mariadb';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import {
  TestApp,
  mintToken,
  processEnvFor,
  registerInstance,
  startTestApp,
} from './support/test-app';
import { waitForBackup, waitForRestore } from './support/test-worker';
import { testDatabaseName } from './support/databases';

const KEY = 'hostile-tenant-key';

/**
 * A tenant with nothing but the ordinary role of its own database tries to reach the worker:
 * a CHECK whose function runs `COPY … TO PROGRAM` whenever it runs with a superuser's rights,
 * and archives rewritten in storage. Nothing it wrote may run with more rights than it has,
 * and nothing it asks for may stop the worker, which runs as a process of its own here.
 */
describe('a hostile tenant', () => {
  let t: TestApp;
  let worker: RunningProcess;
  let workerPid: number;
  let pg: PostgresServer;
  /** where the tenant's program would leave a file: writable by every server's user */
  let dir: string;
  const secrets: string[] = [];

  /** A CHECK function that runs a program whenever the server lets it, and takes its time. */
  const hostileSchema = (marker: string) => `
    CREATE FUNCTION chk(x int) RETURNS boolean LANGUAGE plpgsql AS $f$
    BEGIN
      BEGIN
        EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'touch ${marker}');
      EXCEPTION WHEN insufficient_privilege THEN NULL;
      END;
      PERFORM pg_sleep(0.5);
      RETURN true;
    END $f$;
    CREATE TABLE guarded (x int CHECK (chk(x)));
    INSERT INTO guarded VALUES (1), (2);
    CREATE TABLE orders (id int PRIMARY KEY, note text);
    INSERT INTO orders SELECT i, 'order ' || i FROM generate_series(1, 500) i;`;

  /** A tenant's own role and database on `pg`, its schema made by the role itself. */
  async function tenantDatabase(role: string, db: string, marker: string): Promise<string> {
    await pg.query(`CREATE ROLE ${role} LOGIN REPLICATION`);
    await pg.query(`CREATE DATABASE ${db} OWNER ${role}`);
    await pg.query(`SET ROLE ${role}; ${hostileSchema(marker)}`, db);
    return `postgresql://${role}@127.0.0.1:${pg.port}/${db}`;
  }

  const auth = (i: { token: string }) => ({ Authorization: `Bearer ${i.token}` });
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  /** Sets the instance's key and triggers a backup; its id. */
  async function trigger(i: { id: string; token: string }): Promise<number> {
    await t.http
      .patch(`/v1/instances/${i.id}/backups-config`)
      .set(auth(i))
      .send({ encryption_key: KEY })
      .expect(200);
    const res = await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
    return (res.body as { id: number }).id;
  }

  async function backUp(i: { id: string; token: string }): Promise<number> {
    const id = await trigger(i);
    expect(await waitForBackup(t, i.id, i.token, id)).toMatchObject({ status: 'done' });
    return id;
  }

  async function verify(i: { id: string }, n: number): Promise<Record<string, unknown>> {
    await t.http.post(`/admin/v1/instances/${i.id}/backups/${n}/verify`).set(admin()).expect(202);
    return waitFor(
      async () => {
        const res = await t.http.get(`/admin/v1/instances/${i.id}/backups/${n}`).set(admin());
        const v = res.body.verification as Record<string, unknown> | undefined;
        return v && v.status !== 'running' ? v : null;
      },
      180000,
      'the verification to end',
    );
  }

  /** The worker is the one that started, and the API answers. */
  async function stillServing(): Promise<void> {
    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.pid).toBe(workerPid);
    expect(worker.output()).not.toMatch(/uncaught exception, exiting/);
    await t.http.get('/health').expect(200);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bm-tenant-'));
    chmodSync(dir, 0o777);
    pg = await startPostgresServer();
    t = await startTestApp({ WAL_SHIP_INTERVAL: '1' });
    const env = processEnvFor(t, { WAL_SHIP_INTERVAL: '1' });
    secrets.push(env.MASTER_KEY, env.ADMIN_TOKEN, env.BACKUP_MANAGER_PASSWORD, env.DATABASE_URL);
    worker = startEntry('worker.ts', env, process.cwd());
    await waitFor(
      () => Promise.resolve(worker.output().includes('worker running')),
      120000,
      'the worker to start',
    );
    workerPid = worker.child.pid!;
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await t?.close();
    pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("verification runs the tenant's CHECK without a superuser's rights, in a server without our secrets", async () => {
    const marker = join(dir, 'verification-ran');
    const url = await tenantDatabase('shop_owner', 'shop', marker);
    const inst = await registerInstance(t, { connection_url: url });
    const n = await backUp(inst);

    const asked = verify(inst, n);
    // the scratch server, found while it loads the dump (each CHECK takes half a second)
    const scratch = await waitFor(
      () => {
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            if (cmd.includes('bm-private-pg-') && /\/bin\/postgres\0/.test(cmd)) {
              const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
              return Promise.resolve({
                environ: readFileSync(`/proc/${pid}/environ`, 'utf8'),
                uid,
              });
            }
          } catch {
            // gone meanwhile
          }
        }
        return Promise.resolve(null);
      },
      120000,
      'the scratch server to run',
    );
    for (const secret of secrets) expect(scratch.environ).not.toContain(secret);
    expect(scratch.environ).not.toMatch(
      /MASTER_KEY|ADMIN_TOKEN|DATABASE_URL|BACKUP_MANAGER_PASSWORD/,
    );
    // a worker running as root runs it as another user, who cannot read the worker's files
    if (process.getuid?.() === 0) {
      expect(scratch.uid).toBe(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    }

    const v = await asked;
    expect(v).toMatchObject({ status: 'verified', tables: 2, rows: 502 });
    expect(existsSync(marker)).toBe(false);
    await stillServing();
  });

  /** Replaces backup `n`'s archive in storage and makes its record agree (size and SHA-256). */
  async function tamper(i: { id: string }, n: number, sql: string): Promise<void> {
    const archive = await encryptArchive(Buffer.from(sql), KEY);
    const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: i.id, number: n } });
    writeFileSync(join(t.config.storagePath, row.storageKey!), archive);
    await t.prisma.backupRow.updateMany({
      where: { instanceId: i.id, number: n },
      data: { size: archive.length, sha256: createHash('sha256').update(archive).digest('hex') },
    });
  }

  it('a tampered PostgreSQL archive with COPY … TO PROGRAM: verification fails, nothing runs', async () => {
    const marker = join(dir, 'tampered-pg');
    await pg.query('CREATE DATABASE plain');
    const inst = await registerInstance(t, { connection_url: pg.url('plain') });
    const n = await backUp(inst);
    await tamper(
      inst,
      n,
      `CREATE TABLE t (x int);\nCOPY (SELECT 1) TO PROGRAM 'touch ${marker}';\nINSERT INTO t VALUES (1);\n`,
    );
    const v = await verify(inst, n);
    expect(v.status).toBe('failed');
    expect(v.failure_reason).toMatch(/pg_execute_server_program|permission denied|superuser/);
    expect(existsSync(marker)).toBe(false);
    await stillServing();
  });

  it('a tampered MariaDB archive with SELECT … INTO OUTFILE: verification fails, nothing is written', async () => {
    const db = testDatabaseName('tenant');
    mariadb(`CREATE DATABASE ${db}`);
    try {
      mariadb('CREATE TABLE t (x INT); INSERT INTO t VALUES (1), (2);', db);
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://root@127.0.0.1:3306/${db}`,
      });
      const n = await backUp(inst);
      const outfile = join(dir, 'tampered-mariadb');
      await tamper(
        inst,
        n,
        `CREATE TABLE t (x INT);\nINSERT INTO t VALUES (1), (2);\nSELECT 'pwned' INTO OUTFILE '${outfile}';\n`,
      );
      const v = await verify(inst, n);
      expect(v.status).toBe('failed');
      expect(v.failure_reason).toMatch(/Access denied|secure-file-priv|FILE/i);
      expect(existsSync(outfile)).toBe(false);
      await stillServing();
    } finally {
      mariadb(`DROP DATABASE IF EXISTS ${db}`);
    }
  });

  describe('continuously archived', () => {
    let source: { id: string; token: string };
    let target: { id: string; token: string };
    let both: { id: string; token: string };
    const marker = () => join(dir, 'archived-ran');
    const rows = async (db: string) =>
      (await pg.query('SELECT count(*)::int AS n FROM orders', db))[0].n;

    beforeAll(async () => {
      const url = await tenantDatabase('archiver', 'archived', marker());
      source = await registerInstance(t, {
        connection_url: url,
        backup_type: 'continuous_archiving',
      });
      // the fork's target: another database, owned by another role
      await pg.query('CREATE ROLE staging_owner LOGIN');
      await pg.query('CREATE DATABASE staging OWNER staging_owner');
      target = await registerInstance(t, {
        connection_url: `postgresql://staging_owner@127.0.0.1:${pg.port}/staging`,
      });
      both = { id: source.id, token: await mintToken(t, [source.id, target.id]) };
      await waitFor(
        async () =>
          (await t.prisma.walReceiver.findUnique({ where: { instanceId: source.id } }))?.state ===
          'streaming',
        120000,
        'the receiver to stream',
      );
    });

    it('a fork by backup into another database and role: done, the rows there, no program ran', async () => {
      const n = await backUp(source);
      const res = await t.http
        .post(`/v1/instances/${source.id}/restores`)
        .set(auth(both))
        .send({ backup_id: n, target_instance_id: target.id })
        .expect(202);
      const done = await waitForRestore(t, both, (res.body as { id: number }).id, 300000);
      expect(done).toMatchObject({ status: 'done', target_instance_id: target.id });
      expect(await rows('staging')).toBe(500);
      expect(existsSync(marker())).toBe(false);
      await stillServing();
    });

    it('a fork and a restore to a moment: done, to that moment, no program ran', async () => {
      await pg.query('SET ROLE archiver; INSERT INTO orders VALUES (501, $$later$$)', 'archived');
      const moment = new Date();
      await new Promise((r) => setTimeout(r, 50));
      await pg.query(
        'SET ROLE archiver; INSERT INTO orders VALUES (502, $$too late$$)',
        'archived',
      );
      await waitFor(
        async () => {
          const res = await t.http.get(`/v1/instances/${source.id}/pitr`).set(auth(source));
          return res.status === 200 && new Date(res.body.end_time as string) > moment;
        },
        120000,
        'the window to pass the moment',
      );
      const fork = await t.http
        .post(`/v1/instances/${source.id}/restores`)
        .set(auth(both))
        .send({ point_in_time: moment.toISOString(), target_instance_id: target.id })
        .expect(202);
      expect(await waitForRestore(t, both, (fork.body as { id: number }).id, 300000)).toMatchObject(
        { status: 'done' },
      );
      expect(await rows('staging')).toBe(501);

      const own = await t.http
        .post(`/v1/instances/${source.id}/restores`)
        .set(auth(source))
        .send({ point_in_time: moment.toISOString() })
        .expect(202);
      expect(
        await waitForRestore(t, source, (own.body as { id: number }).id, 300000),
      ).toMatchObject({ status: 'done' });
      expect(await rows('archived')).toBe(501);
      expect(existsSync(marker())).toBe(false);
      await stillServing();
    });

    it('a job that fails inside a tool fails with its message, and the worker goes on', async () => {
      const gone = await registerInstance(t, { connection_url: pg.url('no_such_database') });
      const failed = await waitForBackup(t, gone.id, gone.token, await trigger(gone), ['failed']);
      expect(failed.status).toBe('failed');
      const reason = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: gone.id } });
      expect(reason.failureReason).toMatch(/database "no_such_database" does not exist/);
      await stillServing();
    });
  });
});
