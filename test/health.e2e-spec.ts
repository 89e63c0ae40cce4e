import { PostgresServer, startServiceDatabaseServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import { RedisServer, startRedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

/** Readiness follows PostgreSQL and Redis (private servers, stopped and started by this test). */
describe('health: live and ready', () => {
  let pg: PostgresServer;
  let redis: RedisServer;
  let t: TestApp;

  beforeAll(async () => {
    ({ pg } = await startServiceDatabaseServer());
    redis = await startRedisServer();
    t = await startTestApp({ DATABASE_URL: pg.url('backup_manager'), REDIS_URL: redis.url });
    await waitFor(async () => (await t.http.get('/health/ready')).status === 200, 60000, 'ready');
  }, 120000);
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    pg?.destroy();
  });

  /** One readiness answer, and how long it took. */
  async function ready() {
    const started = Date.now();
    const res = await t.http.get('/health/ready');
    return { status: res.status, body: res.body, ms: Date.now() - started };
  }

  it('answers live and ready without auth, naming each dependency and revealing no secret', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    await t.http.get('/health').expect(200, { status: 'ok' });
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: {
        database: { status: 'up' },
        redis: { status: 'up' },
        storage: { status: 'up' },
        workers: { status: 'up', alive: 0 },
      },
      error: {},
    });
    expect(JSON.stringify(res.body)).not.toContain(t.config.databaseUrl);
  });

  it('turns 503 naming storage and its free space when the disk is fuller than allowed', async () => {
    // a threshold above the disk's free space is what a full disk looks like
    const full = await startTestApp({ STORAGE_MIN_FREE_BYTES: String(2 ** 52) });
    try {
      // once its own connections are up, storage is the one thing down
      const res = await waitFor(
        async () => {
          const r = await full.http.get('/health/ready');
          return r.body.info?.redis?.status === 'up' && r.body.info?.database?.status === 'up'
            ? r
            : null;
        },
        60000,
        'the database and Redis to be up',
      );
      expect(res.status).toBe(503);
      expect(res.body.error).toEqual({
        storage: {
          status: 'down',
          message: expect.stringMatching(
            /has \d+ bytes free, less than STORAGE_MIN_FREE_BYTES \(4503599627370496\)/,
          ),
        },
      });
    } finally {
      await full.close();
    }
  });

  it('turns 503 naming PostgreSQL within 5 s of it going away, and 200 when it is back', async () => {
    pg.stop();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.ms).toBeLessThan(5000);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', message: expect.any(String) } },
      info: { redis: { status: 'up' } },
    });
    expect(JSON.stringify(down.body)).not.toContain('postgresql://');
    // the liveness of the process does not depend on it
    await t.http.get('/health/live').expect(200);

    pg.start();
    const back = Date.now();
    await waitFor(async () => (await ready()).status === 200, 60000, 'ready after PostgreSQL');
    console.log(`ready again ${Date.now() - back} ms after PostgreSQL was started`);
  });

  it('turns 503 naming Redis within 5 s of it going away, and 200 when it is back', async () => {
    await redis.stop();
    // the connection notices the closed socket at once; the check itself never waits
    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      5000,
      'readiness to notice Redis gone',
    );
    expect(down.body).toMatchObject({
      status: 'error',
      error: { redis: { status: 'down' } },
      info: { database: { status: 'up' } },
    });
    redis = await startRedisServer(redis.port);
    const back = Date.now();
    await waitFor(async () => (await ready()).status === 200, 60000, 'ready after Redis');
    console.log(`ready again ${Date.now() - back} ms after Redis was started`);
  });
});

describe('workers as readiness and operators see them', () => {
  let t: TestApp;
  let worker: TestWorker;
  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('counts the worker alive and tells when it last took a job', async () => {
    const admin = { Authorization: `Bearer ${t.adminToken}` };
    const before = await waitFor(
      async () => {
        const res = await t.http.get('/admin/v1/workers').set(admin).expect(200);
        return res.body.length === 1 ? res.body[0] : undefined;
      },
      60000,
      'the worker to report itself',
    );
    expect(before).toMatchObject({ pid: process.pid, last_job_at: null });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.info.workers).toMatchObject({ status: 'up', alive: 1 });

    const inst = await registerInstance(t);
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    await waitForBackup(t, inst.id, inst.token, 1);
    const after = await waitFor(
      async () => {
        const res = await t.http.get('/admin/v1/workers').set(admin).expect(200);
        return res.body[0]?.last_job_at ? res.body[0] : undefined;
      },
      60000,
      'the worker to report its job',
    );
    expect(Date.parse(after.last_job_at)).toBeGreaterThan(Date.parse(before.started_at));

    await worker.close();
    const gone = await t.http.get('/admin/v1/workers').set(admin).expect(200);
    expect(gone.body).toEqual([]);
  });
});
