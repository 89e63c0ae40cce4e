import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptWithOpenssl } from './support/archives';
import { databaseUrl } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  holdTableLock,
  psql,
} from './support/postgres-fixtures';
import { waitFor } from './support/processes';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker } from './support/test-worker';

/**
 * Walks the Backup Manager API as the Klutch provider's client does (basic auth, base URL
 * `/backup-manager`, 201 for a queued backup, 202 for a queued restore), and checks that its
 * records are the public API's.
 */
describe('the Backup Manager API (/backup-manager)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let source: string;
  let inst: { id: string; token: string };
  const base = () => `/backup-manager/instances/${inst.id}`;
  const basic = (user: string, password: string) => ({
    Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });
  const auth = () => basic(t.config.backupManagerUsername, t.config.backupManagerPassword);
  const bearer = () => ({ Authorization: `Bearer ${inst.token}` });

  async function poll(path: string, statuses: string[]): Promise<Record<string, unknown>> {
    return waitFor(
      async () => {
        const res = await t.http.get(path).set(auth()).expect(200);
        return statuses.includes(res.body.status) ? (res.body as Record<string, unknown>) : null;
      },
      120000,
      `${path} to reach ${statuses.join(' or ')}`,
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
    source = await createSourceDatabase();
    inst = await registerInstance(t, { connection_url: databaseUrl(source) });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases([source]);
  });

  it('walks the contract: health, config, update, backup, list, restore, delete and re-read', async () => {
    await t.http.get('/backup-manager/instances').set(auth()).expect(200);

    const config = await t.http.get(`${base()}/config`).set(auth()).expect(200);
    expect(config.body).toEqual({
      min_backup_count: 5,
      retention_time: 5,
      min_encryption_key_length: 8,
      exclude_from_auto_backup: false,
      backup_type: 'standard',
    });

    const key = 'klutch-key-0123456789';
    const update = await t.http
      .put(base())
      .set(auth())
      .send({ encryption_key: key, exclude_from_auto_backup: true })
      .expect(201);
    expect(update.body).toEqual({ message: 'instance updated' });
    const after = await t.http.get(`${base()}/config`).set(auth()).expect(200);
    expect(after.body.exclude_from_auto_backup).toBe(true);
    expect(JSON.stringify(after.body)).not.toContain(key);
    await t.http.put(base()).set(auth()).send({ credentials_updated_by_user: true }).expect(201);

    // the client sends no body and no Content-Type, and counts only 201 (or 200) as success
    const created = await t.http.post(`${base()}/backups`).set(auth()).expect(201);
    expect(created.body).toEqual({ id: 1, message: 'job to backup is queued' });
    const backup = await poll(`${base()}/backups/1`, ['done', 'failed']);
    expect(backup).toMatchObject({ id: 1, status: 'done', downloadable: true });
    expect(Number.isInteger(backup.size)).toBe(true);

    const list = await t.http.get(`${base()}/backups`).set(auth()).expect(200);
    expect(list.body).toEqual([backup]);
    // the same record in the public API, and its archive opens with the documented commands
    const pub = await t.http.get(`/v1/instances/${inst.id}/backups/1`).set(bearer()).expect(200);
    expect(pub.body).toEqual(backup);
    const download = await t.http
      .get(`/v1/instances/${inst.id}/backups/1/download`)
      .set(bearer())
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const dir = mkdtempSync(join(tmpdir(), 'bm-api-'));
    writeFileSync(join(dir, 'backup.tgz'), download.body as Buffer);
    const dump = readFileSync(decryptWithOpenssl(join(dir, 'backup.tgz'), key, dir), 'utf8');
    expect(dump).toContain('PostgreSQL database dump');

    // change the data, then put the backup back
    const before = fingerprint(source);
    psql(source, 'DELETE FROM orders');
    const restore = await t.http.post(`${base()}/backups/1/restore`).set(auth()).expect(202);
    expect(restore.body).toEqual({ id: 1 });
    const restored = await poll(`${base()}/restores/1`, ['done', 'failed']);
    expect(restored).toMatchObject({ id: 1, backup_id: 1, status: 'done' });
    expect(fingerprint(source)).toEqual(before);
    const restores = await t.http.get(`${base()}/restores`).set(auth()).expect(200);
    expect(restores.body).toEqual([restored]);
    const pubRestores = await t.http
      .get(`/v1/instances/${inst.id}/restores`)
      .set(bearer())
      .expect(200);
    expect(pubRestores.body).toEqual([restored]);

    // delete: 200, and the record stays readable as deleted
    const archives = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
    const del = await t.http.delete(`${base()}/backups/1`).set(auth()).expect(200);
    expect(del.body).toEqual({ message: expect.any(String) });
    const gone = await t.http.get(`${base()}/backups/1`).set(auth()).expect(200);
    expect(gone.body).toMatchObject({ id: 1, status: 'deleted', downloadable: false });
    expect(() => readFileSync(join(t.config.storagePath, archives.storageKey!))).toThrow();
    await t.http.delete(`${base()}/backups/1`).set(auth()).expect(200);

    // a deleted backup cannot be restored
    const refused = await t.http.post(`${base()}/backups/1/restore`).set(auth()).expect(422);
    expect(refused.body).toEqual({
      error: 'BackupNonRestorableState',
      description: expect.stringContaining('Backup 1'),
    });
  });

  it('409 for a second backup, 423 for deleting a backup being restored, 409 RestoreInProgress', async () => {
    const lock = await holdTableLock(source, 'orders');
    try {
      await t.http.post(`${base()}/backups`).set(auth()).expect(201);
      const busy = await t.http.post(`${base()}/backups`).set(auth()).expect(409);
      expect(busy.body).toEqual({ error: 'BackupInProgress', description: expect.any(String) });
    } finally {
      await lock.release();
    }
    const second = await t.http.get(`${base()}/backups`).set(auth()).expect(200);
    const id = (second.body as Array<{ id: number }>)[0].id;
    await poll(`${base()}/backups/${id}`, ['done']);

    const hold = await holdTableLock(source, 'orders');
    try {
      const r = await t.http.post(`${base()}/backups/${id}/restore`).set(auth()).expect(202);
      await poll(`${base()}/restores/${r.body.id}`, ['running']);
      const locked = await t.http.delete(`${base()}/backups/${id}`).set(auth()).expect(423);
      expect(locked.body).toEqual({ error: 'Locked', description: expect.any(String) });
      const again = await t.http.post(`${base()}/backups/${id}/restore`).set(auth()).expect(409);
      expect(again.body).toEqual({ error: 'RestoreInProgress', description: expect.any(String) });
    } finally {
      await hold.release();
    }
    await waitFor(
      async () => {
        const res = await t.http.get(`${base()}/restores`).set(auth()).expect(200);
        return (res.body as Array<{ status: string }>).every(
          (x) => x.status !== 'running' && x.status !== 'queued',
        );
      },
      120000,
      'the restore to end',
    );
  });

  it('401 with WWW-Authenticate for missing or wrong credentials; bearer tokens do not open it, its credentials open nothing else', async () => {
    for (const headers of [
      {},
      basic(t.config.backupManagerUsername, 'wrong-password-123456'),
      basic('someone', t.config.backupManagerPassword),
      { Authorization: `Bearer ${t.adminToken}` },
      bearer(),
    ]) {
      const res = await t.http.get('/backup-manager/instances').set(headers).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.body).toEqual({ error: 'Unauthorized', description: expect.any(String) });
    }
    await t.http.get('/admin/v1/instances').set(auth()).expect(401);
    await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth()).expect(401);
  });

  it('404 InstanceNotFound for an unknown instance, 410 for a deregistered one, 404 NotFound for an unknown backup or restore', async () => {
    const unknown = await t.http
      .get('/backup-manager/instances/nope/config')
      .set(auth())
      .expect(404);
    expect(unknown.body).toEqual({ error: 'InstanceNotFound', description: expect.any(String) });
    const other = await registerInstance(t);
    await t.http
      .delete(`/admin/v1/instances/${other.id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(204);
    const gone = await t.http
      .post(`/backup-manager/instances/${other.id}/backups`)
      .set(auth())
      .expect(410);
    expect(gone.body).toEqual({ error: 'InstanceNotFound', description: expect.any(String) });
    for (const path of ['backups/999', 'restores/999', 'backups/abc', 'restores/abc']) {
      const res = await t.http.get(`${base()}/${path}`).set(auth()).expect(404);
      expect(res.body).toEqual({ error: 'NotFound', description: expect.any(String) });
      // the message names the instance of the path, whatever the id was
      expect(res.body.description).toContain(base().split('/').pop());
      expect(res.body.description).not.toContain('undefined');
    }
    await t.http.delete(`${base()}/backups/999`).set(auth()).expect(404);
    const bad = await t.http.put(base()).set(auth()).send({ encryption_key: 'short' }).expect(422);
    expect(bad.body.description).toContain('at least 8 characters');
    await t.http.put(base()).set(auth()).send({}).expect(422);
  });
});
