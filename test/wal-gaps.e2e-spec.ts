import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';

/**
 * A gap in the WAL archive: the instance's slot is invalidated while no receiver runs
 * (max_slot_wal_keep_size), so the server removes WAL storage never had. The gap is recorded
 * and shown, a base backup is taken at once, the window restarts after it, and a restore into
 * the gap is refused naming it.
 */
describe('a gap in the WAL archive', () => {
  let t: TestApp;
  let worker: TestWorker | undefined;
  let pg: PostgresServer;
  const query = (sql: string, database = 'shop') => pg.query(sql, database);

  beforeAll(async () => {
    pg = await startPostgresServer();
    await query('CREATE DATABASE shop', 'postgres');
    await query('CREATE TABLE orders (id serial PRIMARY KEY, note text)');
    t = await startTestApp({ WAL_SHIP_INTERVAL: '1' });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    pg?.destroy();
  });

  it('records the gap, takes a base backup at once, restarts the window and refuses a restore into the gap', async () => {
    worker = await startTestWorker(t);
    const inst = await registerInstance(t, {
      connection_url: pg.url('shop'),
      backup_type: 'continuous_archiving',
    });
    const admin = (path: string) =>
      t.http
        .get(`/admin/v1/instances/${inst.id}${path}`)
        .set('Authorization', `Bearer ${t.adminToken}`);
    const pitr = () =>
      t.http.get(`/v1/instances/${inst.id}/pitr`).set('Authorization', `Bearer ${inst.token}`);
    await waitFor(
      async () => (await admin('/wal-archive')).body.receiver?.state === 'streaming',
      120000,
      'the receiver to stream',
    );
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    const first = await waitForBackup(t, inst.id, inst.token, 1);
    expect(first.status).toBe('done');
    await query("INSERT INTO orders (note) VALUES ('before the gap')");
    const beforeGap = new Date();
    await waitFor(
      async () => {
        const res = await pitr();
        return res.status === 200 && Date.parse(res.body.end_time as string) >= beforeGap.getTime();
      },
      120000,
      'the window to reach the first order',
    );
    const streaming = await admin('/wal-archive').expect(200);
    expect(streaming.body).toMatchObject({
      receiver: { state: 'streaming', last_error: null },
      slot: { wal_status: expect.stringMatching(/reserved|extended/) },
      gaps: [],
    });
    expect(typeof streaming.body.slot.retained_bytes).toBe('number');

    // no receiver runs; the server writes on and removes the WAL the slot held
    await worker.close();
    worker = undefined;
    // meanwhile the slot keeps WAL on the server, and operators see it grow without a worker
    for (let i = 0; i < 2; i++) {
      await query("INSERT INTO orders (note) SELECT 'kept ' || g FROM generate_series(1, 2000) g");
      await query('SELECT pg_switch_wal()');
    }
    const [kept] = await query(
      `SELECT (pg_current_wal_lsn() - restart_lsn)::bigint::text AS bytes
       FROM pg_replication_slots WHERE slot_name = '${streaming.body.slot.name}'`,
      'postgres',
    );
    const retained = Number(kept.bytes);
    // what the receiver last saw is not what the slot holds now
    const before = (await admin('/wal-archive')).body.slot.retained_bytes as number;
    expect(retained).toBeGreaterThan(before + 1_000_000);
    const grown = Date.now();
    const seen = await waitFor(
      async () => {
        const slot = (await admin('/wal-archive')).body.slot as { retained_bytes: number | null };
        return slot.retained_bytes !== null && slot.retained_bytes >= retained ? slot : null;
      },
      120000,
      'retained_bytes to follow the slot with no worker running',
    );
    console.log(`retained_bytes followed the slot ${Date.now() - grown} ms after it grew`);
    expect(seen.retained_bytes).toBeLessThan(retained + 1_000_000);
    const scraped = await t.http
      .get('/metrics')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    const gauge = new RegExp(
      `^backup_manager_wal_slot_retained_bytes\\{instance_id="${inst.id}"\\} (\\d+)$`,
      'm',
    ).exec(scraped.text);
    expect(Number(gauge?.[1])).toBeGreaterThanOrEqual(retained);
    // the server keeps at most 1 MB of WAL for a slot that lags: less than a segment
    await query("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", 'postgres');
    await query('SELECT pg_reload_conf()', 'postgres');
    for (let i = 0; i < 4; i++) {
      await query("INSERT INTO orders (note) SELECT 'lost ' || g FROM generate_series(1, 2000) g");
      await query('SELECT pg_switch_wal()');
    }
    await query('CHECKPOINT', 'postgres');
    const [slot] = await query(
      `SELECT wal_status FROM pg_replication_slots WHERE slot_name = '${streaming.body.slot.name}'`,
      'postgres',
    );
    expect(slot).toEqual({ wal_status: 'lost' });
    await query('ALTER SYSTEM RESET max_slot_wal_keep_size', 'postgres');
    await query('SELECT pg_reload_conf()', 'postgres');
    const inGap = new Date();
    await new Promise((r) => setTimeout(r, 1000)); // the gap's moment, strictly before what follows

    worker = await startTestWorker(t);
    const gap = await waitFor(
      async () => (await admin('/wal-archive')).body.gaps?.[0],
      120000,
      'the gap to be recorded',
    );
    expect(gap).toMatchObject({
      reason: expect.stringMatching(/slot was invalidated \(wal_status lost\)/),
      from_lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
      to_lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
    });
    expect(Date.parse(gap.last_good_at as string)).toBeGreaterThanOrEqual(
      beforeGap.getTime() - 5000,
    );

    // a base backup at once, without waiting for the schedule; the window restarts after it
    const second = await waitForBackup(t, inst.id, inst.token, 2);
    expect(second.status).toBe('done');
    await query("INSERT INTO orders (note) VALUES ('after the gap')");
    const window = await waitFor(
      async () => {
        const res = await pitr();
        return res.status === 200 && Date.parse(res.body.start_time as string) > inGap.getTime()
          ? (res.body as { start_time: string; end_time: string })
          : null;
      },
      120000,
      'the window to restart after the gap',
    );
    expect(window.start_time).toBe(second.finished_at);
    const state = await admin('/wal-archive').expect(200);
    expect(state.body).toMatchObject({
      receiver: { state: 'streaming' },
      slot: { wal_status: expect.stringMatching(/reserved|extended/) },
      last_shipped: { segment: expect.stringMatching(/^[0-9A-F]{24}$/) },
    });
    expect(state.body.gaps).toHaveLength(1);
    expect(state.body.gaps[0].backup_requested_at).not.toBeNull();

    const refused = await t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ point_in_time: inGap.toISOString() });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('PointInTimeOutsideWindow');
    expect(refused.body.description).toMatch(/falls in a gap/);
    expect(refused.body.description).toContain(gap.from_lsn as string);
    expect(refused.body.description).toContain(window.start_time);

    // what operators scrape
    const metrics = await t.http
      .get('/metrics')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    expect(metrics.text).toMatch(
      /^backup_manager_wal_receivers\{state="streaming",engine="postgresql"\} [1-9]/m,
    );
    const lag = new RegExp(
      `^backup_manager_wal_archive_lag_seconds\\{instance_id="${inst.id}",engine="postgresql"\\} ([0-9.e+-]+)$`,
      'm',
    ).exec(metrics.text);
    expect(lag).not.toBeNull();
    expect(Number(lag![1])).toBeLessThan(600);

    // the window is ranges: before the gap stays restorable from the first base backup
    const ranges = (await pitr().expect(200)).body.ranges as Array<{
      start_time: string;
      end_time: string;
    }>;
    expect(ranges).toEqual([
      { start_time: first.finished_at, end_time: expect.any(String) },
      { start_time: window.start_time, end_time: expect.any(String) },
    ]);
    expect(Date.parse(ranges[0].end_time)).toBeGreaterThanOrEqual(beforeGap.getTime());
    expect(Date.parse(ranges[0].end_time)).toBeLessThan(inGap.getTime());
    const restored = await t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ point_in_time: beforeGap.toISOString() })
      .expect(202);
    expect(await waitForRestore(t, inst, (restored.body as { id: number }).id)).toMatchObject({
      status: 'done',
    });
    expect(await query('SELECT note FROM orders ORDER BY id')).toEqual([
      { note: 'before the gap' },
    ]);
  });

  it('says a standard instance has no WAL archive', async () => {
    const standard = await registerInstance(t);
    const res = await t.http
      .get(`/admin/v1/instances/${standard.id}/wal-archive`)
      .set('Authorization', `Bearer ${t.adminToken}`);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('PointInTimeUnavailable');
    const missing = await t.http
      .get('/admin/v1/instances/no-such-instance/wal-archive')
      .set('Authorization', `Bearer ${t.adminToken}`);
    expect(missing.status).toBe(404);
  });
});
