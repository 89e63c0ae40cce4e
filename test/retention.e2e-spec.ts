import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { databaseUrl } from './support/databases';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { startTestWorker, waitForBackup } from './support/test-worker';

/**
 * Retention after real backups, through the API and a worker; the rule on every case, the
 * orphans and the forgotten records are test/medium/retention.
 */
describe('retention', () => {
  let t: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    t = await startTestApp();
    worker = (await startTestWorker(t)).worker;
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('end to end: retention_time 0 and min_backup_count 1, three backups → only the newest stays', async () => {
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl('postgres'),
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ retention_time: 0, min_backup_count: 1 })
      .expect(200);
    for (let n = 1; n <= 3; n++) {
      await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
      await waitForBackup(t, inst.id, inst.token, n);
    }
    // retention runs right after each backup finishes
    const list = await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth).expect(200);
    expect(
      list.body.map((b: { id: number; status: string; downloadable: boolean }) => [
        b.id,
        b.status,
        b.downloadable,
      ]),
    ).toEqual([
      [3, 'done', false],
      [2, 'deleted', false],
      [1, 'deleted', false],
    ]);
    const rows = await t.prisma.backup.findMany({
      where: { instanceId: inst.id },
      orderBy: { number: 'asc' },
    });
    expect(rows.map((r) => existsSync(join(t.config.storagePath, r.storageKey!)))).toEqual([
      false,
      false,
      true,
    ]);
  });
});
