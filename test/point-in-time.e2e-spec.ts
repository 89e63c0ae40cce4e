import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import {
  TestApp,
  registerInstance,
  startTestApp,
  registerArchivedInstance,
} from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';

// the heaviest file of the suite: on a machine busy with other work its cases may take several
// times their usual minute or two
jest.setTimeout(900_000);

/**
 * Point-in-time recovery: a continuously archived private cluster is brought back to moments
 * between its commits, from one base backup or the other, and the window and its refusals are
 * as documented.
 */
describe('point-in-time recovery', () => {
  let t: TestApp;
  let worker: TestWorker;
  let pg: PostgresServer;
  let inst: { id: string; token: string };
  const query = (sql: string, database = 'shop') => pg.query(sql, database);
  const notes = async () =>
    (await query('SELECT note FROM orders ORDER BY id')).map((r) => r.note as string);
  const api = (method: 'get' | 'post', path: string) =>
    t.http[method](`/v1/instances/${inst.id}${path}`).set('Authorization', `Bearer ${inst.token}`);
  const backup = async () => {
    const res = await api('post', '/backups').send({}).expect(202);
    const done = await waitForBackup(t, inst.id, inst.token, (res.body as { id: number }).id);
    expect(done.status).toBe('done');
    return done as { id: number; finished_at: string };
  };
  const restoreTo = async (moment: Date) => {
    const res = await api('post', '/restores').send({ point_in_time: moment.toISOString() });
    expect(res.status).toBe(202);
    return waitForRestore(t, inst, (res.body as { id: number }).id);
  };
  const window = async () => {
    const res = await api('get', '/pitr').expect(200);
    return {
      start: new Date((res.body as { start_time: string }).start_time),
      end: new Date((res.body as { end_time: string }).end_time),
    };
  };
  /** what was committed by `committed` is in storage: the window reaches that moment */
  const archived = async (committed: Date) => {
    await waitFor(
      async () => {
        const res = await api('get', '/pitr');
        return res.status === 200 && new Date(res.body.end_time as string) >= committed;
      },
      120000,
      `the window to reach ${committed.toISOString()}`,
    );
  };
  beforeAll(async () => {
    pg = await startPostgresServer();
    await query('CREATE DATABASE shop', 'postgres');
    await query('CREATE TABLE orders (id int PRIMARY KEY, note text)');
    t = await startTestApp({ WAL_SHIP_INTERVAL: '1' });
    worker = await startTestWorker(t);
    inst = await registerArchivedInstance(t, pg.url('shop'), 'point-in-time-key');
    await waitFor(
      async () =>
        (await t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } }))?.state ===
        'streaming',
      120000,
      'the receiver to stream',
    );
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    pg?.destroy();
  });

  it('has no window before its first base backup, and names why', async () => {
    const res = await api('get', '/pitr').expect(422);
    expect(res.body).toEqual({
      error: 'PointInTimeUnavailable',
      description: expect.stringMatching(/no point-in-time window yet/),
    });
  });

  it('brings the instance back to any moment, starting from the base backup before it', async () => {
    const first = await backup();
    await query("INSERT INTO orders VALUES (1, 'A')");
    const t1 = new Date();
    await sleep(2000);
    await query("INSERT INTO orders VALUES (2, 'B')");
    const t2 = new Date();
    await sleep(1000);
    const second = await backup();
    await sleep(1000);
    await query('DELETE FROM orders');
    const t3 = new Date();
    await archived(t3);
    const { start, end } = await window();
    expect(start.toISOString()).toBe(first.finished_at);
    expect(end.getTime()).toBeGreaterThan(t2.getTime());
    expect(end.getTime()).toBeGreaterThanOrEqual(t3.getTime());
    // the operator's fleet shows the same window (both ends only move forward)
    const fleet = await t.http
      .get('/admin/v1/fleet')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    const row = (fleet.body.instances as Array<Record<string, string | null>>).find(
      (i) => i.id === inst.id,
    );
    expect(row?.pitr_start).toBe(start.toISOString());
    expect(new Date(row!.pitr_end!).getTime()).toBeGreaterThanOrEqual(end.getTime());

    // between T1 and T2: only A, from the first base backup
    const between12 = new Date(t1.getTime() + 1000);
    const r1 = await restoreTo(between12);
    expect(r1).toMatchObject({
      status: 'done',
      backup_id: first.id,
      metadata: { restored_from: between12.toISOString() },
    });
    expect(await notes()).toEqual(['A']);

    // between T2 and the second backup: A and B, still from the first
    const beforeSecond = new Date(t2.getTime() + 500);
    expect(beforeSecond.getTime()).toBeLessThan(new Date(second.finished_at).getTime());
    const r2 = await restoreTo(beforeSecond);
    expect(r2).toMatchObject({ status: 'done', backup_id: first.id });
    expect(await notes()).toEqual(['A', 'B']);

    // between the second backup and T3: A and B, from the second
    const afterSecond = new Date(new Date(second.finished_at).getTime() + 500);
    expect(afterSecond.getTime()).toBeLessThan(t3.getTime() - 500);
    const r3 = await restoreTo(afterSecond);
    expect(r3).toMatchObject({ status: 'done', backup_id: second.id });
    expect(await notes()).toEqual(['A', 'B']);

    // after T3 (and after the newest commit): empty
    const r4 = await restoreTo(end);
    expect(r4).toMatchObject({ status: 'done', backup_id: second.id });
    expect(await notes()).toEqual([]);
  });

  it('refuses a moment outside the window, naming the window, and changes nothing', async () => {
    const { start, end } = await window();
    const before = new Date(start.getTime() - 60_000);
    const res = await api('post', '/restores').send({ point_in_time: before.toISOString() });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('PointInTimeOutsideWindow');
    expect(res.body.description).toContain(`from ${start.toISOString()} to `);
    // the end moves on each time the receiver reports itself caught up: never back
    const named = /to (\S+Z)\.$/.exec(res.body.description as string);
    expect(new Date(named![1]).getTime()).toBeGreaterThanOrEqual(end.getTime());
    const later = new Date(Date.now() + 3600_000);
    expect(
      (await api('post', '/restores').send({ point_in_time: later.toISOString() })).status,
    ).toBe(422);

    for (const body of [
      { point_in_time: '2026-12-02T10:00:00' }, // no offset: which zone?
      { point_in_time: 'yesterday' },
      { point_in_time: null },
      { backup_id: 1, point_in_time: end.toISOString() },
    ]) {
      const bad = await api('post', '/restores').send(body);
      expect(bad.status).toBe(422);
      expect(bad.body.error).toBe('InvalidParameters');
    }
    const list = await api('get', '/restores').expect(200);
    expect((list.body as unknown[]).length).toBe(4);
  });

  it('says a standard instance has no window', async () => {
    const standard = await registerInstance(t);
    for (const res of [
      await t.http
        .get(`/v1/instances/${standard.id}/pitr`)
        .set('Authorization', `Bearer ${standard.token}`),
      await t.http
        .post(`/v1/instances/${standard.id}/restores`)
        .set('Authorization', `Bearer ${standard.token}`)
        .send({ point_in_time: new Date().toISOString() }),
    ]) {
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        error: 'PointInTimeUnavailable',
        description: expect.stringMatching(/backup_type standard.*continuous_archiving/),
      });
    }
  });

  it('fails a restore whose WAL was changed in storage, naming the piece and its checksum, and leaves the instance alone', async () => {
    await query("INSERT INTO orders VALUES (3, 'C')");
    await archived(new Date());
    const { end } = await window();
    const backups = await t.prisma.backup.findMany({
      where: { instanceId: inst.id, status: 'done' },
      orderBy: { number: 'desc' },
    });
    // the first segment a restore to the end replays, changed by one byte
    const first = (await t.prisma.walSegment.findMany({ where: { instanceId: inst.id } }))
      .filter((s) => lsn(s.endLsn) > lsn(backups[0].walStartLsn!))
      .sort((a, b) => (lsn(a.startLsn) < lsn(b.startLsn) ? -1 : 1))[0];
    expect(first).toBeDefined();
    flipByte(join(t.config.storagePath, first.storageKey));

    const res = await restoreTo(end);
    expect(res.status).toBe('failed');
    expect(res.failure_reason).toContain(`WAL piece ${first.storageKey}`);
    expect(res.failure_reason).toContain(`segment ${first.segment}`);
    expect(res.failure_reason).toMatch(/its checksum does not match/);
    expect(res.failure_reason).toMatch(/nothing was restored/);
    expect(await notes()).toEqual(['C']);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lsn = (text: string) => {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};

/** Flips the byte in the middle of a file. */
function flipByte(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const at = Math.floor(fstatSync(fd).size / 2);
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
