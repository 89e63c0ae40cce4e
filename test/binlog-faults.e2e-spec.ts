import { MariadbServer, startMariadbServer } from './support/mariadb-server';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { TestApp, mintToken, processEnvFor, startTestApp } from './support/test-app';
import { waitForBackup, waitForRestore } from './support/test-worker';

jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The binlog receiver under faults: its worker killed (SIGKILL) while rows are written, the
 * server purging binlog files while no worker runs, and its binlog reset under a running
 * receiver. The first loses nothing; the second is a recorded gap with its reason, a base backup,
 * and a 422 for a moment in it; the third stops the receiver, saying why, and nothing after it
 * is claimed.
 */
describe('a binlog receiver whose worker is killed, whose binlog is purged or reset', () => {
  let t: TestApp;
  let db: MariadbServer;
  let inst: { id: string; token: string };
  const workers: RunningProcess[] = [];
  const settings = { WAL_SHIP_INTERVAL: '1', WAL_RECEIVER_LEASE_SECONDS: '6' };
  const sql = (statements: string) => db.sql(statements, 'shop');
  const notes = () =>
    sql('SELECT note FROM orders ORDER BY id')
      .split('\n')
      .filter((l) => l.length > 0);
  const api = (method: 'get' | 'post', path: string) =>
    t.http[method](`/v1/instances/${inst.id}${path}`).set('Authorization', `Bearer ${inst.token}`);
  const admin = (path: string) =>
    t.http
      .get(`/admin/v1/instances/${inst.id}${path}`)
      .set('Authorization', `Bearer ${t.adminToken}`);
  const startWorker = () => {
    const w = startEntry(
      'worker.ts',
      processEnvFor(t, { ...settings, LOG_LEVEL: 'info' }),
      process.cwd(),
    );
    workers.push(w);
    return w;
  };
  const receiver = () => t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } });
  const streamingUnder = async (generationAbove: bigint) =>
    waitFor(
      async () => {
        const r = await receiver();
        return r?.state === 'streaming' && r.generation > generationAbove ? r : null;
      },
      120000,
      'a receiver to stream',
    );
  const archived = async (committed: Date) =>
    waitFor(
      async () => {
        const res = await api('get', '/pitr');
        return res.status === 200 && new Date(res.body.end_time as string) >= committed;
      },
      120000,
      `the window to reach ${committed.toISOString()}`,
    );
  /** inserts `notes`, 100 ms apart; the moment the last one had committed */
  const insert = async (...values: string[]) => {
    for (const note of values) {
      sql(`INSERT INTO orders (note) VALUES ('${note}')`);
      await sleep(100);
    }
    return new Date();
  };
  const restoreTo = async (moment: Date) => {
    const res = await api('post', '/restores').send({ point_in_time: moment.toISOString() });
    expect(res.status).toBe(202);
    return waitForRestore(t, inst, (res.body as { id: number }).id);
  };

  beforeAll(async () => {
    db = await startMariadbServer({ binlogFormat: 'ROW' });
    db.sql(
      'CREATE DATABASE shop; CREATE TABLE shop.orders (id int AUTO_INCREMENT PRIMARY KEY, note text);' +
        " CREATE USER 'app'@'%' IDENTIFIED BY 'app-pw'; GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%';" +
        " GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'app'@'%';",
    );
    t = await startTestApp(settings);
    const res = await t.http
      .post('/admin/v1/instances')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({
        name: 'binlog faults',
        type: 'mariadb',
        connection_url: `mariadb://app:app-pw@127.0.0.1:${db.port}/shop`,
        backup_type: 'continuous_archiving',
      })
      .expect(201);
    inst = { id: res.body.id as string, token: await mintToken(t, [res.body.id as string]) };
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
    await db?.stop();
  });

  it('loses nothing when the worker receiving the binlog is killed mid-stream', async () => {
    const first = startWorker();
    const before = await streamingUnder(0n);
    const res = await api('post', '/backups').send({}).expect(202);
    const base = await waitForBackup(t, inst.id, inst.token, (res.body as { id: number }).id);
    expect(base.status).toBe('done');
    await insert('a1', 'a2', 'a3');
    await sleep(1500); // some of it shipped
    await first.stop('SIGKILL');
    const lastKept = await insert('k1', 'k2', 'k3', 'k4', 'k5');
    // a moment a whole second after the last row kept, and before the rows dropped below
    const moment = new Date((Math.floor(lastKept.getTime() / 1000) + 1) * 1000 + 500);
    await sleep(moment.getTime() - Date.now() + 1000);
    await insert('d1', 'd2');
    startWorker();
    await streamingUnder(before.generation);
    const end = await insert('e1');
    await archived(new Date(end.getTime() + 1000));
    expect((await admin('/wal-archive').expect(200)).body.gaps).toEqual([]);
    sql('DELETE FROM orders');
    const done = await restoreTo(moment);
    expect(done).toMatchObject({ status: 'done', backup_id: base.id });
    expect(notes()).toEqual(['a1', 'a2', 'a3', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('records a purge while no receiver ran as a gap, takes a base backup, and refuses a moment in it', async () => {
    const running = await receiver();
    for (const w of workers.splice(0)) await w.stop();
    const backupsBefore = await t.prisma.backup.count({ where: { instanceId: inst.id } });
    const lostAt = await insert('lost');
    sql('FLUSH BINARY LOGS');
    const [current] = sql('SHOW MASTER STATUS').split('\t');
    // the server keeps a file until its binlog checkpoint has moved on: asked again until gone
    await waitFor(
      () => {
        sql(`PURGE BINARY LOGS TO '${current}'`);
        return Promise.resolve(sql('SHOW BINARY LOGS').split('\n').length === 1);
      },
      60000,
      'the server to purge its older binlog files',
    );
    startWorker();
    await streamingUnder(running!.generation);
    const gap = await waitFor(
      async () => (await admin('/wal-archive')).body.gaps?.[0],
      120000,
      'the gap to be recorded',
    );
    expect(gap).toMatchObject({
      reason: expect.stringMatching(
        /purged its binlog files before .* before they reached storage/,
      ),
      backup_requested_at: expect.any(String),
    });
    await waitFor(
      async () =>
        (await t.prisma.backup.count({ where: { instanceId: inst.id, status: 'done' } })) >
        backupsBefore,
      120000,
      'the base backup after the gap',
    );
    // the window restarts after that backup: two ranges, the gap between them
    const ranges = await waitFor(
      async () => {
        const res = await api('get', '/pitr');
        return res.status === 200 && res.body.ranges.length === 2
          ? (res.body.ranges as { start_time: string; end_time: string }[])
          : null;
      },
      120000,
      'the window to restart after the gap',
    );
    expect(Date.parse(ranges[0].end_time)).toBeLessThanOrEqual(lostAt.getTime() + 1000);
    expect(Date.parse(ranges[1].start_time)).toBeGreaterThan(lostAt.getTime());
    const res = await api('post', '/restores').send({
      point_in_time: new Date(lostAt.getTime() + 500).toISOString(),
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('PointInTimeOutsideWindow');
    expect(res.body.description).toMatch(/falls in a gap .* purged its binlog files/);
  });

  it("stops, saying so, when the server's binlog is reset under it, and claims nothing after", async () => {
    const before = await insert('before the reset');
    await archived(new Date(before.getTime() + 1000));
    const resetAt = new Date();
    sql('RESET MASTER');
    await insert('after the reset');
    // mariadb-binlog may stop first (the file it read is gone); its restart finds the reset
    const failed = await waitFor(
      async () => {
        const r = await receiver();
        return r?.state === 'failed' && /does not continue the archive/.test(r.lastError ?? '')
          ? r
          : null;
      },
      120000,
      'the receiver to fail, naming the reset',
    );
    expect(failed.lastError).toMatch(
      /GTID state is "0-1-\d+", before 0-1-\d+, which the archive holds.*RESET MASTER/,
    );
    const pieces = await t.prisma.walSegment.count({ where: { instanceId: inst.id } });
    await sleep(3000);
    // nothing of the new binlog is archived, and the window ends before the reset
    expect(await t.prisma.walSegment.count({ where: { instanceId: inst.id } })).toBe(pieces);
    const window = await api('get', '/pitr').expect(200);
    expect(Date.parse(window.body.end_time as string)).toBeLessThanOrEqual(resetAt.getTime());
  });
});
