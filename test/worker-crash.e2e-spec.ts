import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { decryptWithOpenssl } from './support/archives';
import { databaseUrl, testDatabaseName, withAdminClient } from './support/databases';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';
import { waitForBackup } from './support/test-worker';

/** Every file under the storage directory, hidden partial files included. */
function storedFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('a worker killed with SIGKILL in the middle of a backup', () => {
  let t: TestApp;
  const source = testDatabaseName('src');
  const workers: RunningProcess[] = [];
  let locker: Client;

  beforeAll(async () => {
    t = await startTestApp();
    await withAdminClient((c) => c.query(`CREATE DATABASE ${source}`));
    execFileSync('psql', [
      '-X',
      '-q',
      '-d',
      databaseUrl(source),
      '-c',
      `CREATE TABLE big AS SELECT i, md5(i::text) AS h FROM generate_series(1, 200000) i`,
    ]);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await locker?.end().catch(() => undefined);
    await t?.close();
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`));
  });

  const startWorker = () => {
    const w = startEntry('worker.ts', processEnvFor(t), process.cwd());
    workers.push(w);
    return w;
  };

  it('is retried by the restarted worker and ends done, with no partial archive left in storage', async () => {
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const key = 'crash-test-key-1';
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: key })
      .expect(200);

    // hold a lock that makes pg_dump wait in the middle of its work
    locker = new Client({ connectionString: databaseUrl(source) });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE big IN ACCESS EXCLUSIVE MODE');

    const first = startWorker();
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    await waitForBackup(t, inst.id, inst.token, 1, ['running'], 120000);
    await waitFor(
      () => Promise.resolve(storedFiles(t.config.storagePath).some((f) => f.includes('.partial-'))),
      15000,
      'a partial archive',
    );

    await first.stop('SIGKILL');
    expect(storedFiles(t.config.storagePath).some((f) => f.includes('.partial-'))).toBe(true);
    await locker.query('ROLLBACK');

    startWorker();
    // stalled-job detection takes about 40 s; the wait is generous for a busy machine
    const result = await waitForBackup(t, inst.id, inst.token, 1, ['done', 'failed'], 240000);
    expect(result.status).toBe('done');

    const files = storedFiles(t.config.storagePath);
    expect(files.filter((f) => f.includes('.partial-'))).toEqual([]);
    expect(files).toHaveLength(1);
    const plain = decryptWithOpenssl(files[0], key, mkdtempSync(join(tmpdir(), 'bm-crash-')));
    expect(execFileSync('grep', ['-c', '^[0-9]', plain], { encoding: 'utf8' }).trim()).toBe(
      '200000',
    );
  }, 420000);

  it('a restore whose worker is killed ends failed, is not run again, and leaves the database as it was', async () => {
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    // the one worker is the one that will be killed
    for (const w of workers) await w.stop('SIGKILL');
    const worker = startWorker();
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    await waitForBackup(t, inst.id, inst.token, 1, ['done'], 120000);
    const count = async () => {
      const c = new Client({ connectionString: databaseUrl(source) });
      await c.connect();
      try {
        return (await c.query<{ n: string }>('SELECT count(*) AS n FROM big')).rows[0].n;
      } finally {
        await c.end();
      }
    };
    const c = new Client({ connectionString: databaseUrl(source) });
    await c.connect();
    await c.query('DELETE FROM big WHERE i > 100000');
    const before = await count();

    // the restore waits on this lock with part of the archive already fed to psql
    const lock = new Client({ connectionString: databaseUrl(source) });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE big IN ACCESS EXCLUSIVE MODE');
    await t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set(auth)
      .send({ backup_id: 1 })
      .expect(202);
    await waitFor(
      async () =>
        (await t.prisma.restore.findFirst({ where: { instanceId: inst.id } }))?.status ===
        'running',
      120000,
      'the restore to run',
    );
    await worker.stop('SIGKILL');
    await lock.query('ROLLBACK');
    await lock.end();
    await c.end();

    startWorker();
    const failed = await waitFor(
      async () => {
        const r = await t.http.get(`/v1/instances/${inst.id}/restores/1`).set(auth);
        return r.body.status === 'running' ? null : (r.body as Record<string, unknown>);
      },
      300000,
      'the restore to be given up on',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringMatching(/stopped before it finished/),
    });
    // psql saw the end of its input without a COMMIT: nothing of the restore stayed
    expect(await count()).toBe(before);
  }, 420000);
});
