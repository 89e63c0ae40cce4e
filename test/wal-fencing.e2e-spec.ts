import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { S3StorageDriver } from '../src/storage/s3-storage.driver';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { S3TestServer, startS3Server } from './support/s3';
import {
  TestApp,
  mintToken,
  processEnvFor,
  registerInstance,
  startTestApp,
  registerArchivedInstance,
} from './support/test-app';
import { waitForBackup, waitForRestore } from './support/test-worker';

// the heaviest file of the suite: on a machine busy with other work its cases may take several
// times their usual minute or two
jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Commits `insert` with $1 = 1, 2, 3… over a connection of its own, pausing `pauseMs` between
 * two commits, until stopped.
 */
async function startWriter(url: string, insert: string, pauseMs: number) {
  const client = new Client({ connectionString: url });
  await client.connect();
  let writing = true;
  let n = 0;
  const writes = (async () => {
    while (writing) {
      n += 1;
      await client.query(insert, [n]);
      await sleep(pauseMs);
    }
  })();
  return {
    count: () => n,
    async stop() {
      writing = false;
      await writes;
      await client.end();
    },
  };
}

/**
 * Two workers and a writer; the worker holding the instance's WAL receiver is paused (SIGSTOP,
 * as a long GC pause or a frozen VM would) past its lease, the other takes over, and the paused
 * one is resumed. No stored key is written twice, the paused worker records nothing more, the
 * archive has no break that is not a recorded gap, and restores to moments before, during and
 * after the pause hold exactly the rows committed by then (the source's own commit timestamps).
 */
describe('a WAL receiver whose worker stalls past its lease', () => {
  let t: TestApp;
  let pg: PostgresServer;
  let s3: S3TestServer;
  const workers: RunningProcess[] = [];
  let inst: { id: string; token: string };
  const query = (sql: string) => pg.query(sql, 'shop');
  const settings = { WAL_SHIP_INTERVAL: '1', WAL_RECEIVER_LEASE_SECONDS: '6' };

  beforeAll(async () => {
    pg = await startPostgresServer({ settings: { track_commit_timestamp: 'on' } });
    await pg.query('CREATE DATABASE shop');
    await query('CREATE TABLE orders (id int PRIMARY KEY, note text)');
    s3 = await startS3Server('archives');
    t = await startTestApp({ ...s3.env, ...settings });
    inst = await registerArchivedInstance(t, pg.url('shop'), 'fencing-key');
  });
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.stop();
    }
    await t?.close();
    await s3?.close();
    pg?.destroy();
  });

  const startWorker = () => {
    const w = startEntry(
      'worker.ts',
      processEnvFor(t, { ...s3.env, ...settings, LOG_LEVEL: 'info' }),
      process.cwd(),
    );
    workers.push(w);
    return w;
  };
  const receiver = () => t.prisma.walReceiver.findUnique({ where: { instanceId: inst.id } });

  it('never writes a key twice, records nothing of the stalled worker, and restores exactly', async () => {
    const paused = startWorker();
    await waitFor(
      async () => (await receiver())?.state === 'streaming',
      120000,
      'the first worker to stream',
    );
    const res = await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    const base = await waitForBackup(t, inst.id, inst.token, (res.body as { id: number }).id);
    expect(base.status).toBe('done');

    // a writer commits a row every ~25 ms throughout
    const writer = await startWriter(pg.url('shop'), 'INSERT INTO orders (id) VALUES ($1)', 25);
    await sleep(3000);
    startWorker();
    await sleep(3000);

    const before = (await receiver())!;
    expect(before.state).toBe('streaming');
    paused.child.kill('SIGSTOP');
    const pausedAt = new Date();
    const takenOver = await waitFor(
      () =>
        t.prisma.walSegment.findFirst({
          where: { instanceId: inst.id, generation: { gt: before.generation } },
          orderBy: { pk: 'asc' },
        }),
      120000,
      'the other worker to take the receiver over and ship',
    );
    await sleep(2000);
    paused.child.kill('SIGCONT');
    const resumedAt = new Date();
    await waitFor(
      () => Promise.resolve(paused.output().includes('WAL receiver lease lost')),
      60000,
      'the resumed worker to notice it lost the lease',
    );
    await sleep(2000);
    await writer.stop();

    // what the source committed, to the microsecond, by its own clock
    const committed = (
      await query(
        `SELECT id, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint::text AS us
         FROM orders ORDER BY id`,
      )
    ).map((r) => ({ id: Number(r.id), us: BigInt(r.us as string) }));
    expect(committed.length).toBeGreaterThan(100);
    const newest = committed.reduce((m, c) => (c.us > m ? c.us : m), 0n);
    await waitFor(
      async () => {
        const w = await t.http
          .get(`/v1/instances/${inst.id}/pitr`)
          .set('Authorization', `Bearer ${inst.token}`);
        return w.status === 200 && BigInt(Date.parse(w.body.end_time as string)) * 1000n >= newest;
      },
      120000,
      'the window to reach the last commit',
    );

    // every key was written once, and every recorded piece is stored
    const pieceWrites = s3.writes.filter((k) => k.includes('/wal/'));
    expect(pieceWrites.length).toBeGreaterThan(0);
    expect(new Set(pieceWrites).size).toBe(pieceWrites.length);
    const stored = new Set(await s3.keys());
    const pieces = await t.prisma.walSegment.findMany({ where: { instanceId: inst.id } });
    for (const p of pieces) expect(stored.has(`archives/${p.storageKey}`)).toBe(true);
    // the paused worker recorded nothing once the other one had taken over
    expect(pieces.filter((p) => p.generation === before.generation && p.pk > takenOver.pk)).toEqual(
      [],
    );
    // every break in the chain of pieces is a recorded gap: no silent hole
    const silent = await t.prisma.$queryRaw<unknown[]>`
      WITH chain AS (
        SELECT start_lsn::pg_lsn AS s,
               max(end_lsn::pg_lsn) OVER (ORDER BY start_lsn::pg_lsn, timeline
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
        FROM wal_segments WHERE instance_id = ${inst.id})
      SELECT prev_end::text, s::text FROM chain
      WHERE s > prev_end AND NOT EXISTS (
        SELECT 1 FROM wal_gaps g WHERE g.instance_id = ${inst.id}
          AND g.from_lsn::pg_lsn <= prev_end AND g.to_lsn::pg_lsn >= s)`;
    expect(silent).toEqual([]);

    // before, during and after the pause: exactly what was committed by then, or a 422 that
    // names a recorded gap
    for (const moment of [
      new Date(pausedAt.getTime() - 1500),
      new Date(pausedAt.getTime() + 3000),
      new Date(resumedAt.getTime() + 1000),
    ]) {
      const asked = await t.http
        .post(`/v1/instances/${inst.id}/restores`)
        .set('Authorization', `Bearer ${inst.token}`)
        .send({ point_in_time: moment.toISOString() });
      if (asked.status === 422) {
        expect(asked.body.description).toMatch(/falls in a gap/);
        continue;
      }
      expect(asked.status).toBe(202);
      const restore = await waitForRestore(t, inst, (asked.body as { id: number }).id);
      expect(restore).toMatchObject({ status: 'done' });
      const expected = committed
        .filter((c) => c.us <= BigInt(moment.getTime()) * 1000n)
        .map((c) => c.id);
      const got = (await query('SELECT id FROM orders ORDER BY id')).map((r) => Number(r.id));
      expect({ moment: moment.toISOString(), ids: got }).toEqual({
        moment: moment.toISOString(),
        ids: expected,
      });
    }
  });

  it('restores to exactly end_time under a busy writer: every commit at or before it, none after', async () => {
    await pg.query('CREATE DATABASE copy');
    const copy = await registerInstance(t, { connection_url: pg.url('copy') });
    const token = await mintToken(t, [inst.id, copy.id]);
    const auth = { Authorization: `Bearer ${token}` };
    await query('CREATE TABLE ticks (id int PRIMARY KEY)');
    // about 50 commits a second with the round trip
    const writer = await startWriter(pg.url('shop'), 'INSERT INTO ticks VALUES ($1)', 10);
    try {
      await waitFor(() => Promise.resolve(writer.count() > 50), 60000, 'the writer to get going');
      // the window holds the table and its first rows (a busy machine ships later)
      const going = Date.now();
      await waitFor(
        async () => {
          const w = await t.http.get(`/v1/instances/${inst.id}/pitr`).set(auth);
          return w.status === 200 && Date.parse(w.body.end_time as string) >= going;
        },
        120000,
        'the window to reach the first rows',
      );
      for (let i = 0; i < 5; i++) {
        const window = await t.http.get(`/v1/instances/${inst.id}/pitr`).set(auth).expect(200);
        const end = window.body.end_time as string;
        expect(end).toMatch(/\.\d{3}Z$/);
        const asked = await t.http
          .post(`/v1/instances/${inst.id}/restores`)
          .set(auth)
          .send({ point_in_time: end, target_instance_id: copy.id })
          .expect(202);
        const restore = await waitForRestore(
          t,
          { id: inst.id, token },
          (asked.body as { id: number }).id,
        );
        expect(restore).toMatchObject({ status: 'done' });
        // the source's own commit timestamps, to the microsecond, against the moment
        const expected = (
          await query(
            `SELECT id FROM ticks WHERE pg_xact_commit_timestamp(xmin) <= '${end}' ORDER BY id`,
          )
        ).map((r) => Number(r.id));
        const got = (await pg.query('SELECT id FROM ticks ORDER BY id', 'copy')).map((r) =>
          Number(r.id),
        );
        expect(expected.length).toBeGreaterThan(0);
        expect({ end, ids: got }).toEqual({ end, ids: expected });
      }

      // a moment to the microsecond: exactly a commit's own time holds it, a microsecond
      // earlier does not
      const [{ at, before }] = await query(
        `SELECT to_char(c AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
                to_char((c - interval '1 microsecond') AT TIME ZONE 'UTC',
                        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS before
         FROM (SELECT pg_xact_commit_timestamp(xmin) AS c FROM ticks WHERE id = 20) one`,
      );
      for (const moment of [at as string, before as string]) {
        const asked = await t.http
          .post(`/v1/instances/${inst.id}/restores`)
          .set(auth)
          .send({ point_in_time: moment, target_instance_id: copy.id })
          .expect(202);
        expect(
          await waitForRestore(t, { id: inst.id, token }, (asked.body as { id: number }).id),
        ).toMatchObject({ status: 'done' });
        const got = (await pg.query('SELECT max(id) AS id FROM ticks', 'copy'))[0].id;
        expect({ moment, newest: got }).toEqual({ moment, newest: moment === at ? 20 : 19 });
      }
    } finally {
      await writer.stop();
    }
  });

  it('records a piece removed by hand as a gap: counted, announced, and a base backup queued', async () => {
    const received: Array<{ event: string; body: { data: Record<string, string> } }> = [];
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          event: String(req.headers['backup-manager-event']),
          body: JSON.parse(Buffer.concat(chunks).toString()) as { data: Record<string, string> },
        });
        res.writeHead(200).end();
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    try {
      const admin = { Authorization: `Bearer ${t.adminToken}` };
      await t.http
        .post('/admin/v1/webhooks')
        .set(admin)
        .send({
          url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/wal`,
          events: ['wal.gap'],
        })
        .expect(201);
      // pieces on both sides of the one to be removed
      const count = () => t.prisma.walSegment.count({ where: { instanceId: inst.id } });
      const had = await count();
      for (let i = 0; i < 3; i++) {
        await query(`INSERT INTO orders VALUES (${100000 + i}, 'more')`);
        await waitFor(async () => (await count()) > had + i, 120000, 'a new piece');
      }
      const [, victim] = await t.prisma.walSegment.findMany({
        where: { instanceId: inst.id },
        orderBy: { pk: 'desc' },
        take: 2,
      });
      const driver = new S3StorageDriver(s3.settings, 5000);
      await driver.delete(victim.storageKey);
      driver.onModuleDestroy();
      await t.prisma.walSegment.delete({ where: { pk: victim.pk } });
      const removedAt = Date.now();

      const gap = await waitFor(
        async () =>
          (
            await t.http.get(`/admin/v1/instances/${inst.id}/wal-archive`).set(admin)
          ).body.gaps?.find((g: { from_lsn: string }) => g.from_lsn === victim.startLsn) as
            Record<string, string | null> | undefined,
        60000,
        'the removed piece to be recorded as a gap',
      );
      // a figure for the notes: the shipping interval is 1 s here
      console.log(`piece removed by hand recorded as a gap after ${Date.now() - removedAt} ms`);
      expect(gap).toMatchObject({
        to_lsn: victim.endLsn,
        reason: expect.stringMatching(/no stored piece holds this WAL/),
      });
      const metrics = await t.http.get('/metrics').set(admin).expect(200);
      expect(metrics.text).toMatch(
        new RegExp(
          `^backup_manager_wal_gaps_total\\{instance_id="${inst.id}",engine="postgresql"\\} 1$`,
          'm',
        ),
      );
      const delivered = await waitFor(
        () => Promise.resolve(received.find((r) => r.event === 'wal.gap')),
        60000,
        'the wal.gap delivery',
      );
      expect(delivered.body.data).toMatchObject({
        instance_id: inst.id,
        from_lsn: victim.startLsn,
        to_lsn: victim.endLsn,
      });
      // the window restarts after a base backup, queued at once
      await waitFor(
        async () =>
          (await t.prisma.walGap.findFirst({ where: { instanceId: inst.id } }))
            ?.backupRequestedAt != null,
        60000,
        'a base backup to be queued after the gap',
      );
    } finally {
      hook.closeAllConnections();
      hook.close();
    }
  });
});
