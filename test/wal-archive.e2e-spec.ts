import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { decryptWithOpenssl } from './support/archives';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import { RunningProcess, startEntry } from './support/processes';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';
import { WalArchiver } from '../src/wal/wal-archiver.service';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

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
  const query = async (sql: string, database = 'shop') => {
    const c = new Client({ connectionString: pg.url(database) });
    await c.connect();
    try {
      return (await c.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };

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
    const inst = await registerInstance(t, {
      connection_url: pg.url('shop'),
      backup_type: 'continuous_archiving',
    });
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ encryption_key: KEY })
      .expect(200);
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
    await query('SELECT pg_switch_wal()');
    const row = await waitFor(
      () =>
        t.prisma.walSegment.findUnique({
          where: { instanceId_segment: { instanceId: inst.id, segment: current } },
        }),
      120000,
      `segment ${current} in storage`,
    );

    // stored encrypted like a backup: the documented commands open it into the segment itself
    const plain = decryptWithOpenssl(join(t.config.storagePath, row.storageKey), KEY, work);
    expect(statSync(plain).size).toBe(16 * 1024 * 1024);
    const [{ major }] = (await query(
      "SELECT current_setting('server_version_num')::int / 10000 AS major",
    )) as { major: number }[];
    const waldump = `/usr/lib/postgresql/${major}/bin/pg_waldump`;
    // pg_waldump reads a segment under its own name
    const segments = join(work, 'segments');
    mkdirSync(segments);
    copyFileSync(plain, join(segments, current));
    const records = execFileSync(waldump, ['--path', segments, current], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(records).toMatch(/Heap\s+len.*INSERT/);
    expect(row.endLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    // the newest commit of the segment is known: the insert's (clocks of one machine)
    expect(row.newestCommitAt).not.toBeNull();
    expect(row.newestCommitAt!.getTime()).toBeGreaterThanOrEqual(insertedAt - 1000);
    expect(row.newestCommitAt!.getTime()).toBeLessThanOrEqual(Date.now());

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
    expect(
      await t.prisma.walSegment.findUnique({
        where: { instanceId_segment: { instanceId: inst.id, segment: current } },
      }),
    ).toBeNull();
    expect(existsSync(join(t.config.storagePath, row.storageKey))).toBe(false);

    await t.http
      .delete(`/admin/v1/instances/${inst.id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(204);
    await waitFor(async () => (await slots()).length === 0, 120000, 'the slots to be dropped');
    expect(await t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } })).toBeNull();
  });

  it('survives the receiving worker being killed: another takes over and no segment is missing', async () => {
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
      const segmentsOf = () =>
        t.prisma.walSegment.findMany({
          where: { instanceId: inst.id },
          orderBy: { segment: 'asc' },
        });
      await waitFor(
        async () => (await segmentsOf()).length >= 2,
        120000,
        'segments before the kill',
      );
      await first.stop('SIGKILL');
      const killedAt = Date.now();
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
      const before = (await segmentsOf()).length;
      await waitFor(
        async () => (await segmentsOf()).length >= before + 2,
        120000,
        'segments after the takeover',
      );
      ticking = false;
      await ticks;
      console.log(`WAL receiver taken over ${tookOverAfter} ms after its worker was killed`);
      expect(tookOverAfter).toBeLessThan(60000 + 30000); // the lease (30 s) and a tick, with margin

      // one unbroken run of segments: nothing the killed worker had received was lost
      const names = (await segmentsOf()).map((s) => s.segment);
      const number = (name: string) =>
        BigInt(`0x${name.slice(8, 16)}`) * 256n + BigInt(`0x${name.slice(16)}`);
      for (let i = 1; i < names.length; i++) {
        expect(number(names[i]) - number(names[i - 1])).toBe(1n);
      }
    } finally {
      for (const p of processes) await p.stop('SIGKILL');
    }
  });
});
