import { databaseUrl, testDatabaseName, withAdminClient } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  holdTableLock,
  psql,
} from './support/postgres-fixtures';
import { waitFor } from './support/processes';
import { TestApp, mintToken, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';

/** A backup's `backup_id` "can be used to fork a service instance": restore it into another. */
describe('fork restores', () => {
  let t: TestApp;
  let worker: TestWorker;
  const databases: string[] = [];
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases(databases);
  });

  it('restores a backup into a second instance, leaving the source as it is', async () => {
    const source = await createSourceDatabase();
    const target = testDatabaseName('fork');
    databases.push(source, target);
    await withAdminClient((c) => c.query(`CREATE DATABASE ${target}`));
    psql(target, 'CREATE TABLE leftover (id int); INSERT INTO leftover VALUES (1)');

    const a = await registerInstance(t, { connection_url: databaseUrl(source), name: 'orders' });
    const b = await registerInstance(t, {
      connection_url: databaseUrl(target),
      name: 'orders copy',
    });
    const both = await mintToken(t, [a.id, b.id]);
    const onlyA = a.token;
    const maria = await registerInstance(t, {
      type: 'mariadb',
      connection_url: 'mariadb://root@127.0.0.1:3306/test',
    });
    const withMaria = await mintToken(t, [a.id, maria.id]);
    // a webhook for restores: its payload names the target
    const hook = await t.http
      .post('/admin/v1/webhooks')
      .set(admin())
      .send({ url: 'http://127.0.0.1:9/', events: ['restore.done'] })
      .expect(201);

    const trigger = await t.http
      .post(`/v1/instances/${a.id}/backups`)
      .set('Authorization', `Bearer ${both}`)
      .expect(202);
    expect((await waitForBackup(t, a.id, both, trigger.body.id)).status).toBe('done');
    const atBackup = fingerprint(source);
    // the source changes after its backup; the fork must not bring that back, nor touch it
    psql(source, "UPDATE customers SET name = 'changed after the backup' WHERE id = 1");
    const sourceNow = fingerprint(source);

    const fork = (token: string, body: Record<string, unknown>) =>
      t.http
        .post(`/v1/instances/${a.id}/restores`)
        .set('Authorization', `Bearer ${token}`)
        .send({ backup_id: trigger.body.id, ...body });

    const refused = await fork(onlyA, { target_instance_id: b.id }).expect(403);
    expect(refused.body.description).toContain(`"${b.id}", the target of the restore`);
    const otherType = await fork(withMaria, { target_instance_id: maria.id }).expect(422);
    expect(otherType.body.description).toMatch(/is a mariadb instance/);
    await fork(both, { target_instance_id: 'no-such-instance' }).expect(403);
    const unknown = await mintToken(t, ['*']);
    await fork(unknown, { target_instance_id: 'no-such-instance' }).expect(404);
    await fork(both, { target_instance_id: '../etc' }).expect(422);

    // queued while no worker runs: the target's owners see what is coming into it
    await worker.close();
    const accepted = await fork(both, { target_instance_id: b.id }).expect(202);
    const coming = await t.http
      .get(`/v1/instances/${b.id}/progress`)
      .set('Authorization', `Bearer ${both}`)
      .expect(200);
    expect(coming.body.restores).toEqual([
      expect.objectContaining({
        id: accepted.body.id,
        backup_id: trigger.body.id,
        status: 'queued',
        source_instance_id: a.id,
      }),
    ]);
    worker = await startTestWorker(t);
    const restore = await waitForRestore(t, { id: a.id, token: both }, accepted.body.id);
    expect(restore).toMatchObject({
      id: accepted.body.id,
      backup_id: trigger.body.id,
      status: 'done',
      target_instance_id: b.id,
    });
    expect(fingerprint(target)).toBe(atBackup);
    expect(psql(target, "SELECT to_regclass('leftover') IS NULL")).toBe('t');
    expect(fingerprint(source)).toBe(sourceNow);
    expect(sourceNow).not.toBe(atBackup);

    // listed under the source, where it was asked for, and under the target, naming the source
    const listed = await t.http
      .get(`/v1/instances/${a.id}/restores`)
      .set('Authorization', `Bearer ${both}`)
      .expect(200);
    expect(listed.body[0]).toMatchObject({ id: accepted.body.id, target_instance_id: b.id });
    const targetList = await t.http
      .get(`/v1/instances/${b.id}/restores`)
      .set('Authorization', `Bearer ${both}`)
      .expect(200);
    expect(targetList.body).toEqual([{ ...listed.body[0], source_instance_id: a.id }]);

    const [delivery] = await waitFor(
      async () => {
        const res = await t.http.get(`/admin/v1/webhooks/${hook.body.id}/deliveries`).set(admin());
        return res.body.length > 0 ? res.body : null;
      },
      30000,
      'the restore.done delivery',
    );
    expect(delivery.payload.data).toMatchObject({
      instance_id: a.id,
      id: accepted.body.id,
      backup_id: trigger.body.id,
      target_instance_id: b.id,
      status: 'done',
    });
  });

  it('is refused while a backup of the target runs (409 naming the target)', async () => {
    const source = await createSourceDatabase();
    const target = await createSourceDatabase();
    databases.push(source, target);
    const a = await registerInstance(t, { connection_url: databaseUrl(source) });
    const b = await registerInstance(t, { connection_url: databaseUrl(target) });
    const both = await mintToken(t, [a.id, b.id]);
    const auth = { Authorization: `Bearer ${both}` };
    await t.http.post(`/v1/instances/${a.id}/backups`).set(auth).expect(202);
    expect((await waitForBackup(t, a.id, both, 1)).status).toBe('done');

    const lock = await holdTableLock(target, 'orders');
    try {
      await t.http.post(`/v1/instances/${b.id}/backups`).set(auth).expect(202);
      await waitForBackup(t, b.id, both, 1, ['running']);
      const busy = await t.http
        .post(`/v1/instances/${a.id}/restores`)
        .set(auth)
        .send({ backup_id: 1, target_instance_id: b.id })
        .expect(409);
      expect(busy.body).toEqual({
        error: 'BackupInProgress',
        description: expect.stringContaining(`"${b.id}"`),
      });
      // a restore of the source itself is not held up by the target's backup
      const own = await t.http
        .post(`/v1/instances/${a.id}/restores`)
        .set(auth)
        .send({ backup_id: 1 })
        .expect(202);
      expect((await waitForRestore(t, { id: a.id, token: both }, own.body.id)).status).toBe('done');
    } finally {
      await lock.release();
    }
    expect((await waitForBackup(t, b.id, both, 1)).status).toBe('done');
  });
});
