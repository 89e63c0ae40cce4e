import { mkdirSync, readdirSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetentionService } from '../src/retention/retention.service';
import { decryptWithOpenssl } from './support/archives';
import { databaseUrl } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  holdTableLock,
  restoreIntoNewDatabase,
} from './support/postgres-fixtures';
import { PostgresServer, startServiceDatabaseServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

/**
 * The service's own database (a private cluster on another port: the shared server is never
 * stopped) goes away while a backup runs. The instance being backed up lives on the shared
 * server, so its dump goes on meanwhile.
 */
describe('the service database goes away for a while', () => {
  let pg: PostgresServer;
  let t: TestApp;
  let worker: TestWorker;
  let source: string;
  const databases: string[] = [];

  beforeAll(async () => {
    ({ pg } = await startServiceDatabaseServer());
    t = await startTestApp({ DATABASE_URL: pg.url('backup_manager') });
    worker = await startTestWorker(t);
    source = await createSourceDatabase();
    databases.push(source);
  }, 120000);
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    pg?.destroy();
    await dropDatabases(databases);
  });

  it('answers 503 with the documented bodies meanwhile, and the finished backup still ends done', async () => {
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    const admin = { Authorization: `Bearer ${t.adminToken}` };
    const key = 'db-outage-key';
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: key })
      .expect(200);
    const base = `/v1/instances/${inst.id}`;
    const lock = await holdTableLock(source, 'orders');
    try {
      await t.http.post(`${base}/backups`).set(auth).expect(202);
      await waitForBackup(t, inst.id, inst.token, 1, ['running'], 60000);
      pg.stop();

      for (const [method, path, headers] of [
        ['get', `${base}/backups`, auth],
        ['get', `${base}/backups/1`, auth],
        ['post', `${base}/backups`, auth],
        ['get', `${base}/backups-config`, auth],
        ['patch', `${base}/backups-config`, auth],
        ['get', '/admin/v1/instances', admin],
        ['get', '/admin/v1/tokens', admin],
      ] as const) {
        const res = await t.http[method](path).set(headers).send({ retention_time: 3 });
        expect({ path, status: res.status, body: res.body as unknown }).toEqual({
          path,
          status: 503,
          body: { error: 'ServiceUnavailable', description: expect.stringMatching(/database/) },
        });
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
      }
      const download = await t.http.get(`${base}/backups/1/download`).set(auth);
      expect(download.status).toBe(503);
      expect(download.body).toEqual({ message: expect.stringMatching(/database/), status: 503 });

      // the dump finishes while the database is away: the result waits for it
      await lock.release();
      await waitFor(
        () =>
          Promise.resolve(
            t.logs.some(
              (l) =>
                l.includes('database unavailable, trying again') && l.includes('result of backup'),
            ),
          ),
        60000,
        'the worker to wait for the database with a finished archive',
      );
    } finally {
      await lock.release();
      pg.start();
    }

    const result = await waitForBackup(t, inst.id, inst.token, 1, ['done', 'failed'], 120000);
    expect(result).toMatchObject({ status: 'done' });
    const dir = join(t.config.storagePath, inst.id);
    const [file] = readdirSync(dir);
    const plain = decryptWithOpenssl(join(dir, file), key, mkdtempSync(join(tmpdir(), 'bm-dbo-')));
    const restored = await restoreIntoNewDatabase(plain);
    databases.push(restored);
    expect(fingerprint(restored)).toBe(fingerprint(source));
    // and the routes answer again by themselves
    await t.http.get(`${base}/backups`).set(auth).expect(200);
    await t.http.get('/admin/v1/instances').set(admin).expect(200);
  }, 300000);

  it('removes archives in storage that no backup owns, once they are past the grace period', async () => {
    const inst = await registerInstance(t);
    const dir = join(t.config.storagePath, inst.id);
    mkdirSync(dir, { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const unowned = join(dir, `${inst.id}-1700000000000.tgz`);
    const young = join(dir, `${inst.id}-1700000000001.tgz`);
    const foreign = join(dir, 'notes.txt');
    for (const f of [unowned, young, foreign]) writeFileSync(f, 'x');
    utimesSync(unowned, twoHoursAgo, twoHoursAgo);
    utimesSync(foreign, twoHoursAgo, twoHoursAgo);
    // the archive of the done backup of the first test is owned, and as old
    const owned = readdirSync(t.config.storagePath, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.tgz') && !e.parentPath.endsWith(inst.id))
      .map((e) => join(e.parentPath, e.name));
    expect(owned).toHaveLength(1);
    utimesSync(owned[0], twoHoursAgo, twoHoursAgo);

    await worker.worker.get(RetentionService).prune();

    expect(existsSync(unowned)).toBe(false);
    expect([young, foreign, owned[0]].filter((f) => existsSync(f))).toEqual([
      young,
      foreign,
      owned[0],
    ]);
  });
});
