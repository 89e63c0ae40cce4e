import { TestApp, mintToken, registerInstance, startTestApp } from './support/test-app';

/**
 * The fleet in one request: every instance for the operator, a token's own instances for it,
 * each with its newest success and failure, when it was registered and the work under way.
 */
describe('the fleet', () => {
  let t: TestApp;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function doneBackup(instanceId: string, number: number, size: number) {
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId },
    });
    await t.prisma.instance.update({
      where: { id: instanceId },
      data: { lastBackupNumber: number },
    });
    await t.prisma.backupRow.create({
      data: {
        instanceId,
        number,
        backupId: `${instanceId}-${number}`,
        status: 'done',
        size,
        encryptionKeyId: activeKeyId,
        triggeredAt: new Date(Date.now() - 120_000),
        startedAt: new Date(Date.now() - 120_000),
        finishedAt: new Date(Date.now() - 60_000),
      },
    });
  }

  it("shows a token only its instances, with what the operator's fleet shows of them", async () => {
    const mine = await registerInstance(t, { name: 'fleet-mine' });
    const theirs = await registerInstance(t, { name: 'fleet-theirs' });
    await doneBackup(mine.id, 1, 4096);
    // a backup under way, 1 kB written so far
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: mine.id },
    });
    await t.prisma.backupRow.create({
      data: {
        instanceId: mine.id,
        number: 2,
        backupId: `${mine.id}-2`,
        status: 'running',
        encryptionKeyId: activeKeyId,
        startedAt: new Date(),
        bytesWritten: 1024n,
      },
    });

    const own = await t.http
      .get('/v1/fleet')
      .set('Authorization', `Bearer ${mine.token}`)
      .expect(200);
    expect(own.body).toHaveLength(1);
    expect(own.body[0]).toMatchObject({
      id: mine.id,
      name: 'fleet-mine',
      running: true,
      running_bytes: 1024,
      expected_bytes: 4096,
      last_failure_at: null,
    });
    expect(Date.parse(own.body[0].created_at)).toBeGreaterThan(Date.now() - 600_000);
    expect(JSON.stringify(own.body)).not.toContain(theirs.id);

    // the operator's fleet has both, the same fields for each
    const fleet = await t.http.get('/admin/v1/fleet').set(admin()).expect(200);
    const row = (fleet.body.instances as Array<{ id: string }>).find((i) => i.id === mine.id);
    expect(row).toEqual(own.body[0]);
    const other = (fleet.body.instances as Array<Record<string, unknown>>).find(
      (i) => i.id === theirs.id,
    );
    expect(other).toMatchObject({ running: false, running_bytes: null, expected_bytes: null });

    // a token granted every instance sees the whole fleet
    const all = await mintToken(t, ['*']);
    const everything = await t.http.get('/v1/fleet').set('Authorization', `Bearer ${all}`);
    expect(everything.body).toEqual(fleet.body.instances);
  });

  it('answers 401 without a token, with an unknown one and with the admin token', async () => {
    await t.http.get('/v1/fleet').expect(401);
    await t.http.get('/v1/fleet').set('Authorization', 'Bearer nope').expect(401);
    await t.http.get('/v1/fleet').set(admin()).expect(401);
  });
});
