import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptWithOpenssl } from './support/archives';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import { RunningProcess, startEntry } from './support/processes';
import {
  TestApp,
  processEnvFor,
  registerInstance,
  startTestApp,
  registerArchivedInstance,
} from './support/test-app';
import { lsnValue } from '../src/wal/lsn';
import { WalArchiver } from '../src/wal/wal-archiver.service';
import { segmentBounds } from '../src/wal/wal-names';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';

const KEY = 'wal-archive-key';

/**
 * Continuous archiving: the worker streams a private cluster's write-ahead log through its own
 * replication slots and stores each completed segment encrypted as backups are.
 */
describe('continuous archiving of the write-ahead log', () => {
  let t: TestApp;
  let worker: TestWorker;
  let pg: PostgresServer;
  let work: string;
  const query = (sql: string, database = 'shop') => pg.query(sql, database);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bm-wal-test-'));
    pg = await startPostgresServer();
    await query('CREATE DATABASE shop', 'postgres');
    await query('CREATE TABLE orders (id int, note text)');
    t = await startTestApp({ WAL_SHIP_INTERVAL: '1' });
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close().catch(() => undefined); // the second test closed it
    await t?.close();
    pg?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('ships each completed segment, holds the rest in its slot, and drops its slots when deregistered', async () => {
    const inst = await registerArchivedInstance(t, pg.url('shop'), KEY);
    await waitFor(
      async () =>
        (await t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } }))?.state ===
        'streaming',
      120000,
      'the receiver to stream',
    );
    const slots = async () =>
      (await query(
        "SELECT slot_name, active FROM pg_replication_slots WHERE slot_name LIKE 'bm\\_%' ORDER BY 1",
        'postgres',
      )) as {
        slot_name: string;
        active: boolean;
      }[];
    const [shipped, receiving] = await slots();
    expect(receiving).toEqual({ slot_name: `${shipped.slot_name}_rx`, active: true });

    const insertedAt = Date.now();
    await query(
      "INSERT INTO orders SELECT i, 'archived order ' || i FROM generate_series(1, 1000) i",
    );
    const [{ segment: current }] = (await query(
      'SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment',
    )) as { segment: string }[];
    const bounds = segmentBounds(current, 16 * 1024 * 1024);
    const piecesOf = async () =>
      (await t.prisma.walSegment.findMany({ where: { instanceId: inst.id, segment: current } }))
        .map((p) => ({ ...p, from: lsnValue(p.startLsn), to: lsnValue(p.endLsn) }))
        .sort((a, b) => (a.from < b.from ? -1 : 1));

    // the segment being written is shipped as it grows, without waiting for it to fill up
    const first = await waitFor(
      async () =>
        (await piecesOf()).find((p) => (p.newestCommitAt?.getTime() ?? 0) >= insertedAt - 1000),
      120000,
      `the insert's commit shipped from the segment still being written (${current})`,
    );
    // the newest commit of the piece is the insert's (clocks of one machine)
    expect(first.newestCommitAt!.getTime()).toBeLessThanOrEqual(Date.now());
    // what it gained next is shipped on its own: never the whole segment again
    await query("INSERT INTO orders VALUES (1001, 'one more order')");
    const next = await waitFor(
      async () => (await piecesOf()).find((p) => p.from >= first.to),
      120000,
      'the next piece of the segment',
    );
    expect(next.from).toBe(first.to);
    expect(Number(next.to - next.from)).toBeLessThan(1024 * 1024);

    await query('SELECT pg_switch_wal()');
    await waitFor(
      async () => (await piecesOf()).at(-1)?.to === bounds.end,
      120000,
      `segment ${current} in storage up to its end`,
    );
    const pieces = await piecesOf();
    const row = pieces.at(-1)!;

    // stored encrypted like a backup: the documented commands open each piece, and the pieces
    // side by side are the segment itself
    expect(pieces[0].from).toBe(bounds.start);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i].from).toBe(pieces[i - 1].to);
    const segments = join(work, 'segments');
    mkdirSync(segments);
    const whole = join(segments, current);
    for (const piece of pieces) {
      const plain = decryptWithOpenssl(join(t.config.storagePath, piece.storageKey), KEY, work);
      expect(statSync(plain).size).toBe(Number(piece.to - piece.from));
      appendFileSync(whole, readFileSync(plain));
    }
    expect(statSync(whole).size).toBe(16 * 1024 * 1024);
    const [{ major }] = (await query(
      "SELECT current_setting('server_version_num')::int / 10000 AS major",
    )) as { major: number }[];
    const waldump = `/usr/lib/postgresql/${major}/bin/pg_waldump`;
    const records = execFileSync(waldump, ['--path', segments, current], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(records).toMatch(/Heap\s+len.*INSERT/);

    // the server keeps WAL only from the end of what storage has
    const restart = (await query(
      `SELECT restart_lsn >= '${row.endLsn}'::pg_lsn AS after FROM pg_replication_slots WHERE slot_name = '${shipped.slot_name}'`,
      'postgres',
    )) as { after: boolean }[];
    expect(restart).toEqual([{ after: true }]);

    // a base backup done: segments from before it started are of no use to a restore any more
    const archiver = worker.worker.get(WalArchiver);
    expect(await archiver.prune()).toBe(0);
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    expect((await waitForBackup(t, inst.id, inst.token, 1)).status).toBe('done');
    expect(await archiver.prune()).toBeGreaterThanOrEqual(1);
    expect(await piecesOf()).toEqual([]);
    for (const piece of pieces) {
      expect(existsSync(join(t.config.storagePath, piece.storageKey))).toBe(false);
    }

    await t.http
      .delete(`/admin/v1/instances/${inst.id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(204);
    await waitFor(async () => (await slots()).length === 0, 120000, 'the slots to be dropped');
    expect(await t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } })).toBeNull();
  });

  it('survives the receiving worker being killed: another takes over, no WAL is lost, and a moment of the outage can be restored', async () => {
    await worker.close(); // this test's receivers run in worker processes it can kill
    const processes: RunningProcess[] = [];
    const startWorker = () => {
      const w = startEntry('worker.ts', processEnvFor(t, { WAL_SHIP_INTERVAL: '1' }), work);
      processes.push(w);
      return w;
    };
    try {
      await query('CREATE DATABASE failover', 'postgres');
      await query('CREATE TABLE ticks (at timestamptz)', 'failover');
      const inst = await registerInstance(t, {
        connection_url: pg.url('failover'),
        backup_type: 'continuous_archiving',
      });
      const receiver = () => t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } });
      const first = startWorker();
      await waitFor(
        async () => (await receiver())?.state === 'streaming',
        120000,
        'the first receiver',
      );
      const firstHolder = (await receiver())!.workerId;

      // commits every 200 ms, a segment switch every second, throughout
      let ticking = true;
      const ticks = (async () => {
        for (let i = 0; ticking; i++) {
          await query('INSERT INTO ticks VALUES (now())', 'failover');
          if (i % 5 === 4) await query('SELECT pg_switch_wal()', 'failover');
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const segmentsOf = async () =>
        (await t.prisma.walSegment.findMany({ where: { instanceId: inst.id } }))
          .map((p) => ({ ...p, from: lsnValue(p.startLsn), to: lsnValue(p.endLsn) }))
          .sort((a, b) => (a.from < b.from ? -1 : 1));
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
      expect((await waitForBackup(t, inst.id, inst.token, 1)).status).toBe('done');
      await waitFor(
        async () => (await segmentsOf()).length >= 2,
        120000,
        'segments before the kill',
      );
      await first.stop('SIGKILL');
      const killedAt = Date.now();
      // a moment while no receiver runs: the server keeps its WAL in the slot meanwhile
      const inOutage = new Date(killedAt + 3000);
      startWorker();
      await waitFor(
        async () => {
          const r = await receiver();
          return r?.state === 'streaming' && r.workerId !== firstHolder;
        },
        120000,
        'another worker to take the receiver over',
      );
      const tookOverAfter = Date.now() - killedAt;
      // the WAL of the outage arrives: the window reaches past it
      await waitFor(
        async () => {
          const res = await t.http
            .get(`/v1/instances/${inst.id}/pitr`)
            .set('Authorization', `Bearer ${inst.token}`);
          return (
            res.status === 200 && Date.parse(res.body.end_time as string) > killedAt + tookOverAfter
          );
        },
        120000,
        'the window to reach past the outage',
      );
      ticking = false;
      await ticks;
      console.log(`WAL receiver taken over ${tookOverAfter} ms after its worker was killed`);
      expect(tookOverAfter).toBeLessThan(60000 + 30000); // the lease (30 s) and a tick, with margin

      // one unbroken run of WAL: nothing the killed worker had received was lost
      const pieces = await segmentsOf();
      for (let i = 1; i < pieces.length; i++) expect(pieces[i].from).toBe(pieces[i - 1].to);

      // a restore to a moment inside the outage gets every commit made before it, none after
      const all = (await query('SELECT at FROM ticks', 'failover')).map((r) =>
        (r.at as Date).getTime(),
      );
      expect(all.filter((at) => at > inOutage.getTime()).length).toBeGreaterThan(0);
      const restore = await t.http
        .post(`/v1/instances/${inst.id}/restores`)
        .set('Authorization', `Bearer ${inst.token}`)
        .send({ point_in_time: inOutage.toISOString() });
      expect(restore.status).toBe(202);
      expect((await waitForRestore(t, inst, restore.body.id as number)).status).toBe('done');
      const restored = (await query('SELECT at FROM ticks', 'failover')).map((r) =>
        (r.at as Date).getTime(),
      );
      // `at` is when a tick's transaction began; it committed a moment later
      const surelyBefore = all.filter((at) => at < inOutage.getTime() - 2000);
      expect(surelyBefore.length).toBeGreaterThan(5);
      expect(restored).toEqual(expect.arrayContaining(surelyBefore));
      expect(restored.filter((at) => at > inOutage.getTime())).toEqual([]);
    } finally {
      for (const p of processes) await p.stop('SIGKILL');
    }
  });
});
