import { TestApp, registerInstance, startTestApp } from './support/test-app';

/**
 * The admin routes that act on one instance as its token would: an operator backs up, restores
 * and forks any instance, with the public routes' answers and refusals.
 */
describe('an operator acting on an instance', () => {
  let t: TestApp;
  let pg: { id: string; token: string };
  let redis: { id: string; token: string };
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    // no worker: what is queued stays queued
    t = await startTestApp();
    pg = await registerInstance(t);
    redis = await registerInstance(t, {
      type: 'redis',
      connection_url: 'redis://127.0.0.1:6379/0',
    });
  });
  afterAll(() => t?.close());

  it('triggers a backup as the token would, and is refused while one is queued', async () => {
    const res = await t.http.post(`/admin/v1/instances/${pg.id}/backups`).set(admin()).expect(202);
    expect(res.body).toEqual({ id: 1, message: 'job to backup is queued' });
    const listed = await t.http
      .get(`/v1/instances/${pg.id}/backups`)
      .set('Authorization', `Bearer ${pg.token}`)
      .expect(200);
    expect((listed.body as Array<{ id: number; status: string }>)[0]).toMatchObject({
      id: 1,
      status: 'queued',
    });
    const again = await t.http.post(`/admin/v1/instances/${pg.id}/backups`).set(admin());
    expect(again.status).toBe(409);
    // the token's route says the same
    await t.http
      .post(`/v1/instances/${pg.id}/backups`)
      .set('Authorization', `Bearer ${pg.token}`)
      .expect(409);
  });

  it('answers 401 without the admin token and 404 for an instance nobody registered', async () => {
    await t.http.post(`/admin/v1/instances/${pg.id}/backups`).expect(401);
    await t.http
      .post(`/admin/v1/instances/${pg.id}/backups`)
      .set('Authorization', `Bearer ${pg.token}`)
      .expect(401);
    const missing = await t.http
      .post('/admin/v1/instances/no-such-instance/restores')
      .set(admin())
      .send({ backup_id: 1 })
      .expect(404);
    expect(missing.body.description).toContain('no-such-instance');
  });

  it('restores and forks with the public route’s rules', async () => {
    // a backup that is not done cannot be restored
    const notDone = await t.http
      .post(`/admin/v1/instances/${pg.id}/restores`)
      .set(admin())
      .send({ backup_id: 1 })
      .expect(422);
    expect(notDone.body.error).toBeDefined();
    // a body the public route refuses, refused the same way
    await t.http
      .post(`/admin/v1/instances/${pg.id}/restores`)
      .set(admin())
      .send({ backup_id: 'one' })
      .expect(422);
    // a fork into an instance of another type
    const other = await t.http
      .post(`/admin/v1/instances/${pg.id}/restores`)
      .set(admin())
      .send({ backup_id: 1, target_instance_id: redis.id });
    expect(other.status).toBe(422);
  });

  it("lists an instance's restores and reads its window as the token's routes do", async () => {
    const db = await registerInstance(t, { name: 'listed-restores' });
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: db.id },
    });
    await t.prisma.instance.update({ where: { id: db.id }, data: { lastBackupNumber: 1 } });
    await t.prisma.backupRow.create({
      data: {
        instanceId: db.id,
        number: 1,
        backupId: `${db.id}-1`,
        status: 'done',
        encryptionKeyId: activeKeyId,
        triggeredAt: new Date(Date.now() - 120_000),
        startedAt: new Date(Date.now() - 120_000),
        finishedAt: new Date(Date.now() - 60_000),
      },
    });
    await t.http
      .post(`/admin/v1/instances/${db.id}/restores`)
      .set(admin())
      .send({ backup_id: 1 })
      .expect(202);
    const byAdmin = await t.http.get(`/admin/v1/instances/${db.id}/restores`).set(admin());
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toHaveLength(1);
    expect(byAdmin.body[0]).toMatchObject({ id: 1, backup_id: 1, status: 'queued' });
    const byToken = await t.http
      .get(`/v1/instances/${db.id}/restores`)
      .set('Authorization', `Bearer ${db.token}`)
      .expect(200);
    expect(byAdmin.body).toEqual(byToken.body);
    await t.http.get(`/admin/v1/instances/${db.id}/restores`).expect(401);
    await t.http.get('/admin/v1/instances/no-such-instance/restores').set(admin()).expect(404);

    // a standard instance has no window: the same 422 as the token's route
    const window = await t.http.get(`/admin/v1/instances/${db.id}/pitr`).set(admin());
    const publicWindow = await t.http
      .get(`/v1/instances/${db.id}/pitr`)
      .set('Authorization', `Bearer ${db.token}`);
    expect(window.status).toBe(422);
    expect(window.body).toEqual(publicWindow.body);
    await t.http.get(`/admin/v1/instances/${db.id}/pitr`).expect(401);
  });
});
