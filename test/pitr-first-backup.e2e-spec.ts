import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { TestApp, processEnvFor, startTestApp, registerArchivedInstance } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';

/**
 * A continuous-archiving instance's first base backup, taken before any worker received its WAL
 * (the receiver starts afterwards, after the backup's end switched the server to a new segment),
 * opens the window as soon as the WAL after it is stored, and a moment after it restores.
 */
describe("a continuous-archiving instance's first base backup", () => {
  let t: TestApp;
  let pg: PostgresServer;
  let worker: TestWorker | undefined;
  let receiving: RunningProcess | undefined;
  const query = (sql: string) => pg.query(sql, 'shop');

  beforeAll(async () => {
    pg = await startPostgresServer();
    await pg.query('CREATE DATABASE shop');
    await query('CREATE TABLE orders (id int PRIMARY KEY, note text)');
    // this worker takes backups and receives no WAL
    t = await startTestApp({ WAL_SHIP_INTERVAL: '1', WAL_RECEIVERS_PER_WORKER: '0' });
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await receiving?.stop();
    await worker?.close();
    await t?.close();
    pg?.destroy();
  });

  it('opens the window from that backup once the WAL after it is stored', async () => {
    const inst = await registerArchivedInstance(t, pg.url('shop'), 'first-backup-key');
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    const first = await waitForBackup(t, inst.id, inst.token, 1);
    expect(first.status).toBe('done');
    expect(await t.prisma.walSegment.count({ where: { instanceId: inst.id } })).toBe(0);

    await query("INSERT INTO orders VALUES (1, 'after the first backup')");
    const committed = new Date();
    receiving = startEntry(
      'worker.ts',
      processEnvFor(t, { WAL_SHIP_INTERVAL: '1', WAL_RECEIVERS_PER_WORKER: '10' }),
      process.cwd(),
    );
    const window = await waitFor(
      async () => {
        const res = await t.http.get(`/v1/instances/${inst.id}/pitr`).set(auth);
        return res.status === 200 && Date.parse(res.body.end_time as string) >= committed.getTime()
          ? (res.body as { start_time: string })
          : null;
      },
      120000,
      'the window to open',
    );
    expect(window.start_time).toBe(first.finished_at);

    await query('DELETE FROM orders');
    const asked = await t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set(auth)
      .send({ point_in_time: committed.toISOString() })
      .expect(202);
    expect(await waitForRestore(t, inst, (asked.body as { id: number }).id)).toMatchObject({
      status: 'done',
    });
    expect(await query('SELECT note FROM orders')).toEqual([{ note: 'after the first backup' }]);
  });
});
