import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';
import { waitForBackup } from './support/test-worker';

/** Running (a zombie nobody reaped counts as gone). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

/**
 * A worker killed in the middle of a base-backup restore leaves its private PostgreSQL server
 * running (children outlive their parent) and the cluster on disk; the next worker start
 * removes both.
 */
describe('private servers a dead worker left behind', () => {
  let t: TestApp;
  let pg: PostgresServer;
  let cwd: string;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'bm-abandoned-'));
    // like the system's: the private server runs as another user when the tests run as root
    mkdirSync(join(cwd, 'tmp'));
    chmodSync(cwd, 0o755);
    chmodSync(join(cwd, 'tmp'), 0o1777);
    pg = await startPostgresServer();
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    const c = new Client({ connectionString: pg.url('shop') });
    await c.connect();
    await c.query('CREATE TABLE orders AS SELECT i AS id FROM generate_series(1, 1000) i');
    await c.end();
    t = await startTestApp();
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t?.close();
    pg?.destroy();
    rmSync(cwd, { recursive: true, force: true });
  });

  // a temporary directory of their own: workers that other test files start meanwhile clean up
  // what dead workers left in the shared one, and would do this test's work
  const scratch = () => join(cwd, 'tmp');
  const startWorker = () => {
    const w = startEntry('worker.ts', processEnvFor(t, { TMPDIR: scratch() }), cwd);
    workers.push(w);
    return w;
  };

  /** The private directory of `kind` whose server `worker` started and that accepts connections. */
  const privateServerOf = (worker: RunningProcess, kind: string, socket: string) =>
    waitFor(
      () => {
        for (const name of readdirSync(scratch()).filter((n) =>
          n.startsWith(`bm-private-${kind}-`),
        )) {
          const d = join(scratch(), name);
          const owner = existsSync(join(d, 'owner.pid'))
            ? readFileSync(join(d, 'owner.pid'), 'utf8')
            : '';
          if (Number(owner) !== worker.child.pid) continue;
          if (!existsSync(join(d, 'server.pid')) || !existsSync(join(d, socket))) continue;
          return Promise.resolve([d, Number(readFileSync(join(d, 'server.pid'), 'utf8'))] as const);
        }
        return Promise.resolve(null);
      },
      120000,
      `the private ${kind} server`,
    );

  it('stops the server and removes its directory at the next worker start', async () => {
    const inst = await registerInstance(t, {
      connection_url: pg.url('shop'),
      backup_type: 'continuous_archiving',
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    const first = startWorker();
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    expect((await waitForBackup(t, inst.id, inst.token, 1)).status).toBe('done');

    // the restore stops at the instance's locked table, its private server up
    const lock = new Client({ connectionString: pg.url('shop') });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    try {
      await t.http
        .post(`/v1/instances/${inst.id}/restores`)
        .set(auth)
        .send({ backup_id: 1 })
        .expect(202);
      const [dir, server] = await privateServerOf(first, 'pg', '.s.PGSQL.5432');
      await first.stop('SIGKILL');
      expect(alive(server)).toBe(true);
      expect(existsSync(dir)).toBe(true);

      const second = startWorker();
      await waitFor(
        () => Promise.resolve(!existsSync(dir) && !alive(server)),
        120000,
        'the abandoned server to be stopped and its directory removed',
      );
      // the log line follows the removal, and reaches us through the worker's stdout a moment later
      await waitFor(
        () =>
          Promise.resolve(second.output().includes('removed what a stopped worker left running')),
        120000,
        'the worker to log what it removed',
      );
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }
  });

  it('a verification whose worker is killed: its scratch server is gone after the next start, and it ends failed', async () => {
    for (const w of workers) await w.stop('SIGKILL');
    // large enough that the scratch server is still loading it when the worker is killed
    await pg.query('CREATE DATABASE big');
    await pg.query(
      `CREATE TABLE rows AS SELECT i AS id, md5(i::text) AS h FROM generate_series(1, 1000000) i`,
      'big',
    );
    const inst = await registerInstance(t, { connection_url: pg.url('big') });
    const first = startWorker();
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set({ Authorization: `Bearer ${inst.token}` })
      .expect(202);
    expect((await waitForBackup(t, inst.id, inst.token, 1)).status).toBe('done');
    await t.http
      .post(`/admin/v1/instances/${inst.id}/backups/1/verify`)
      .set({ Authorization: `Bearer ${t.adminToken}` })
      .expect(202);
    const [dir, server] = await privateServerOf(first, 'pg', '.s.PGSQL.5432');
    await first.stop('SIGKILL');
    expect(alive(server)).toBe(true);

    startWorker();
    await waitFor(
      () => Promise.resolve(!existsSync(dir) && !alive(server)),
      120000,
      'the scratch server to be stopped and its directory removed',
    );
    const verification = await waitFor(
      async () => {
        const res = await t.http
          .get(`/admin/v1/instances/${inst.id}/backups/1`)
          .set({ Authorization: `Bearer ${t.adminToken}` });
        const v = res.body.verification as Record<string, unknown> | undefined;
        return v && v.status !== 'running' ? v : null;
      },
      300000,
      'the verification to be given up',
    );
    expect(verification).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringMatching(/worker running this verification stopped/),
    });
  }, 600000);
});
