import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptWithOpenssl } from './support/archives';
import { databaseUrl } from './support/databases';
import { createSourceDatabase, dropDatabases } from './support/postgres-fixtures';
import { waitFor } from './support/processes';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

/**
 * How far the work under way has come (GET …/progress), as the worker records it: while queued
 * nothing yet, and once done the figures a user can check against the archive itself.
 */
describe('progress of backups and restores', () => {
  let t: TestApp;
  let worker: TestWorker | undefined;
  const databases: string[] = [];
  let inst: { id: string; token: string };
  const KEY = 'progress-test-key';

  beforeAll(async () => {
    t = await startTestApp();
    const db = await createSourceDatabase();
    databases.push(db);
    inst = await registerInstance(t, { connection_url: databaseUrl(db) });
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ encryption_key: KEY })
      .expect(200);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases(databases);
  });

  const progress = (token = inst.token) =>
    t.http.get(`/v1/instances/${inst.id}/progress`).set('Authorization', `Bearer ${token}`);
  const adminProgress = (id = inst.id) =>
    t.http.get(`/admin/v1/instances/${id}/progress`).set('Authorization', `Bearer ${t.adminToken}`);

  it('opens to the tokens the instance opens to, and to the admin on its own route', async () => {
    await t.http.get(`/v1/instances/${inst.id}/progress`).expect(401);
    const other = await registerInstance(t, { name: 'someone-elses-db' });
    const refused = await progress(other.token).expect(403);
    expect(refused.body).toEqual({ error: 'Forbidden', description: expect.any(String) });
    await progress(t.adminToken).expect(401);
    const unknown = await adminProgress('no-such-instance').expect(404);
    expect(unknown.body.error).toBe('InstanceNotFound');
    expect((await progress().expect(200)).body).toEqual({ backups: [], restores: [] });
  });

  it('lists a queued backup with nothing done yet, then its figures once done', async () => {
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    // no worker yet: queued, no report, no earlier backup to estimate from
    const queued = { id: 1, status: 'queued', bytes_read: null, bytes_written: null };
    expect((await progress().expect(200)).body).toEqual({
      backups: [{ ...queued, expected_bytes: null }],
      restores: [],
    });
    expect((await adminProgress().expect(200)).body).toEqual((await progress()).body);

    worker = await startTestWorker(t);
    const done = await waitForBackup(t, inst.id, inst.token, 1);
    expect(done).toMatchObject({ status: 'done' });
    expect((await progress().expect(200)).body).toEqual({ backups: [], restores: [] });
    // what the worker counted: the archive's bytes as stored, the dump's as the user opens it
    const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
    expect(row.bytesWritten).toBe(BigInt(done.size as number));
    const dir = mkdtempSync(join(tmpdir(), 'bm-progress-'));
    const dump = decryptWithOpenssl(join(t.config.storagePath, row.storageKey!), KEY, dir);
    expect(row.bytesRead).toBe(BigInt(statSync(dump).size));

    // the next backup is measured against this one's size (held queued: no worker runs)
    await worker.close();
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    expect((await progress().expect(200)).body.backups).toEqual([
      { ...queued, id: 2, expected_bytes: done.size },
    ]);
    worker = await startTestWorker(t);
    await waitForBackup(t, inst.id, inst.token, 2);
  });

  it("records a restore's bytes read: the whole archive", async () => {
    const res = await t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ backup_id: 1 })
      .expect(202);
    await waitFor(
      async () => {
        const r = await t.http
          .get(`/v1/instances/${inst.id}/restores/${res.body.id}`)
          .set('Authorization', `Bearer ${inst.token}`);
        return r.body.status === 'done' ? true : null;
      },
      120_000,
      'the restore to finish',
    );
    const backup = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, number: 1 },
    });
    const restore = await t.prisma.restore.findFirstOrThrow({
      where: { instanceId: inst.id, number: res.body.id as number },
    });
    expect(restore.bytesRead).toBe(backup.size);
    expect((await progress().expect(200)).body).toEqual({ backups: [], restores: [] });
  });
});
