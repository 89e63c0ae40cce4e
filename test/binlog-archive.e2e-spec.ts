import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MariadbServer, startMariadbServer } from './support/mariadb-server';
import { waitFor } from './support/processes';
import { TestApp, mintToken, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';

// three private MariaDB servers, base backups and restores through a scratch server each
jest.setTimeout(900_000);

const APP_GRANTS = (db: string) =>
  `CREATE USER 'app'@'%' IDENTIFIED BY 'app-pw';` +
  ` GRANT ALL PRIVILEGES ON \`${db}\`.* TO 'app'@'%';` +
  ` GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'app'@'%';`;

/**
 * Point-in-time recovery of MariaDB from its binlog stream: a private server with the binary log
 * on, archived continuously, is brought back to moments between its commits; sources whose
 * binlog does not suit are refused at registration, naming what is wrong.
 */
describe('MariaDB point-in-time recovery from the binlog', () => {
  let t: TestApp;
  let worker: TestWorker;
  let db: MariadbServer;
  let inst: { id: string; token: string };
  const notes = () =>
    db
      .sql('SELECT note FROM orders ORDER BY id', 'shop')
      .split('\n')
      .filter((l) => l.length > 0);
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
  /** Asks for a verification of backup `n` and waits for its result, as an operator would. */
  const verify = async (n: number) => {
    await t.http
      .post(`/admin/v1/instances/${inst.id}/backups/${n}/verify`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(202);
    return waitFor(
      async () => {
        const res = await t.http
          .get(`/admin/v1/instances/${inst.id}/backups/${n}`)
          .set('Authorization', `Bearer ${t.adminToken}`);
        const v = res.body.verification as Record<string, unknown> | undefined;
        return v && v.status !== 'running' ? v : null;
      },
      180000,
      'the verification to end',
    );
  };
  const register = (port: number, database: string) =>
    t.http
      .post('/admin/v1/instances')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({
        name: 'binlog source',
        type: 'mariadb',
        connection_url: `mariadb://app:app-pw@127.0.0.1:${port}/${database}`,
        backup_type: 'continuous_archiving',
      });

  beforeAll(async () => {
    db = await startMariadbServer({ binlogFormat: 'ROW' });
    db.sql(
      'CREATE DATABASE shop; CREATE TABLE shop.orders (id int PRIMARY KEY, note text);' +
        APP_GRANTS('shop'),
    );
    t = await startTestApp({ WAL_SHIP_INTERVAL: '1' });
    worker = await startTestWorker(t);
    const res = await register(db.port, 'shop').expect(201);
    const id = res.body.id as string;
    inst = { id, token: await mintToken(t, [id]) };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ encryption_key: 'binlog-archive-key' })
      .expect(200);
    await waitFor(
      async () =>
        (await t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } }))?.state ===
        'streaming',
      120000,
      'the binlog receiver to stream',
    );
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await db?.stop();
  });

  it('has no window before its first base backup', async () => {
    const res = await api('get', '/pitr').expect(422);
    expect(res.body.error).toBe('PointInTimeUnavailable');
  });

  it('restores to moments between commits exactly the rows committed before each', async () => {
    const base = await backup();
    db.sql("INSERT INTO orders VALUES (1, 'A')", 'shop');
    const t1 = new Date();
    await sleep(3000);
    db.sql("INSERT INTO orders VALUES (2, 'B')", 'shop');
    const t2 = new Date();
    await sleep(3000);
    db.sql("INSERT INTO orders VALUES (3, 'C')", 'shop');
    const t3 = new Date();
    await archived(new Date(t3.getTime() + 1000));
    const window = (await api('get', '/pitr').expect(200)).body as {
      start_time: string;
      end_time: string;
      ranges: unknown[];
    };
    expect(window.start_time).toBe(base.finished_at);
    expect(window.ranges).toHaveLength(1);
    // the operators' console reads the same window
    const seen = await t.http
      .get(`/admin/v1/instances/${inst.id}/pitr`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    expect(seen.body.start_time).toBe(window.start_time);
    // each piece is recorded with its binlog file, byte range and the GTIDs it holds
    const pieces = await t.prisma.walSegment.findMany({
      where: { instanceId: inst.id },
      orderBy: { pk: 'asc' },
    });
    expect(pieces[0]).toMatchObject({
      segment: expect.stringMatching(/^binlog\.\d{6}$/),
      startLsn: expect.stringMatching(/^[0-9A-F]+\/0$/),
    });
    expect(pieces.filter((p) => p.lastGtid !== null).at(-1)?.lastGtid).toMatch(/^0-1-\d+$/);
    // operators watch it as they watch PostgreSQL's, by engine
    const metrics = await t.http
      .get('/metrics')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    expect(metrics.text).toMatch(
      /^backup_manager_wal_receivers\{state="streaming",engine="mariadb"\} 1$/m,
    );
    const lag = new RegExp(
      `^backup_manager_wal_archive_lag_seconds\\{instance_id="${inst.id}",engine="mariadb"\\} ([0-9.e+-]+)$`,
      'm',
    ).exec(metrics.text);
    expect(Number(lag?.[1])).toBeLessThan(60);

    for (const [moment, expected] of [
      [new Date(t1.getTime() + 1500), ['A']],
      [new Date(t2.getTime() + 1500), ['A', 'B']],
      [new Date(window.end_time), ['A', 'B', 'C']],
    ] as const) {
      const done = await restoreTo(moment);
      expect(done).toMatchObject({ status: 'done', backup_id: base.id });
      expect(notes()).toEqual(expected);
    }

    // verified in a scratch server: the dump as counted, then its binlog replayed on it
    expect(await verify(base.id)).toMatchObject({ status: 'verified', tables: 1, rows: 0 });

    // outside the window: refused, nothing changed
    const before = new Date(new Date(window.start_time).getTime() - 60_000);
    const res = await api('post', '/restores').send({ point_in_time: before.toISOString() });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('PointInTimeOutsideWindow');
    expect(notes()).toEqual(['A', 'B', 'C']);
  });

  it('fails a restore whose binlog was changed in storage, naming the piece, and applies nothing', async () => {
    db.sql("INSERT INTO orders VALUES (4, 'D')", 'shop');
    await archived(new Date(Date.now() + 1000));
    const end = new Date(
      ((await api('get', '/pitr').expect(200)).body as { end_time: string }).end_time,
    );
    db.sql('DELETE FROM orders', 'shop');
    const pieces = await t.prisma.walSegment.findMany({
      where: { instanceId: inst.id },
      orderBy: { pk: 'asc' },
    });
    const piece = pieces.find((p) => p.size > 200n) ?? pieces[0];
    flipByte(join(t.config.storagePath, piece.storageKey));
    const res = await restoreTo(end);
    expect(res.status).toBe('failed');
    expect(res.failure_reason).toContain(`binlog piece ${piece.storageKey}`);
    expect(res.failure_reason).toContain(`file ${piece.segment}`);
    expect(res.failure_reason).toMatch(/nothing was restored/);
    expect(notes()).toEqual([]);
    // the backup's verification replays the same binlog, and fails on the same piece
    const base = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, status: 'done' },
      orderBy: { number: 'asc' },
    });
    const verification = await verify(base.number);
    expect(verification.status).toBe('failed');
    expect(verification.failure_reason).toContain(`binlog piece ${piece.storageKey}`);
  });

  it.each([
    ['binlog_format STATEMENT', 'STATEMENT' as const, /binlog_format is STATEMENT: it must be ROW/],
    ['no binary log', undefined, /log_bin is OFF/],
  ])('refuses to register a source with %s, naming it', async (_label, format, named) => {
    const other = await startMariadbServer({ binlogFormat: format });
    try {
      other.sql('CREATE DATABASE shop;' + APP_GRANTS('shop'));
      const before = await t.prisma.instance.count();
      const res = await register(other.port, 'shop').expect(422);
      expect(res.body.error).toBe('InvalidParameters');
      expect(res.body.description).toMatch(named);
      expect(res.text).not.toContain('app-pw');
      expect(await t.prisma.instance.count()).toBe(before);
    } finally {
      await other.stop();
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
