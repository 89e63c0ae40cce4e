import type { Server } from 'node:http';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import { serveWorkerHttp } from '../src/metrics/worker-http';
import { opensMetrics } from '../src/core/auth/metrics-auth';
import { databaseUrl } from './support/databases';
import { createSourceDatabase, dropDatabases } from './support/postgres-fixtures';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

/** The value of one sample in Prometheus text, or undefined when the series is absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const METRICS_TOKEN = 'metrics-token-for-the-scraper';
const SCRAPER = { Authorization: `Bearer ${METRICS_TOKEN}` };

describe('metrics after one done and one failed backup', () => {
  let t: TestApp;
  let worker: TestWorker;
  let server: Server;
  let source: string;
  let good: { id: string; token: string };
  let bad: { id: string; token: string };
  let done: Record<string, unknown>;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: METRICS_TOKEN });
    worker = await startTestWorker(t);
    server = await serveWorkerHttp(
      () => worker.worker.get(MetricsRegistry),
      0,
      { log: () => undefined, error: () => undefined, warn: () => undefined },
      (authorization) => opensMetrics(authorization, t.config),
    );
    source = await createSourceDatabase();
    good = await registerInstance(t, { connection_url: databaseUrl(source) });
    bad = await registerInstance(t, {
      connection_url: 'postgresql://postgres:never-shown@127.0.0.1:1/nowhere',
    });
    for (const inst of [good, bad]) {
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
    }
    done = await waitForBackup(t, good.id, good.token, 1);
    expect(done.status).toBe('done');
    expect((await waitForBackup(t, bad.id, bad.token, 1)).status).toBe('failed');
  });
  afterAll(async () => {
    server?.close();
    await worker?.close();
    await t?.close();
    await dropDatabases([source]);
  });

  it('the worker counts both, with durations and the archive size', async () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `http://127.0.0.1:${port}/metrics`;
    // the worker's figures name instances too: a token opens them
    expect((await fetch(url)).status).toBe(401);
    const wrong = await fetch(url, { headers: { Authorization: 'Bearer not-the-metrics-token' } });
    expect(wrong.status).toBe(401);
    const admin = await fetch(url, { headers: { Authorization: `Bearer ${t.adminToken}` } });
    expect(admin.status).toBe(200);
    const res = await fetch(url, { headers: SCRAPER });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const labels = (status: string) => ({ engine: 'postgresql', status });
    expect(sample(text, 'backup_manager_backups_finished_total', labels('done'))).toBe(1);
    expect(sample(text, 'backup_manager_backups_finished_total', labels('failed'))).toBe(1);
    expect(sample(text, 'backup_manager_backup_duration_seconds_count', labels('done'))).toBe(1);
    expect(sample(text, 'backup_manager_backup_duration_seconds_count', labels('failed'))).toBe(1);
    expect(
      sample(text, 'backup_manager_backup_archive_size_bytes_sum', { engine: 'postgresql' }),
    ).toBe(done.size);
    expect(text).not.toContain('never-shown');
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
  });

  it('the API opens /metrics to METRICS_TOKEN and the admin token only', async () => {
    const refused = await t.http.get('/metrics').expect(401);
    expect(refused.body).toStrictEqual({ error: 'Unauthorized', description: expect.any(String) });
    await t.http.get('/metrics').set('Authorization', 'Bearer not-the-metrics-token').expect(401);
    await t.http.get('/metrics').set('Authorization', `Bearer ${t.adminToken}`).expect(200);
    await t.http.get('/metrics').set(SCRAPER).expect(200);
  });

  it('the API shows the records, the last success per instance, queue depth and HTTP durations', async () => {
    const res = await t.http.get('/metrics').set(SCRAPER).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    const labels = (status: string) => ({ engine: 'postgresql', status });
    expect(sample(text, 'backup_manager_backups', labels('done'))).toBe(1);
    expect(sample(text, 'backup_manager_backups', labels('failed'))).toBe(1);
    expect(
      sample(text, 'backup_manager_last_successful_backup_timestamp_seconds', {
        instance_id: good.id,
      }),
    ).toBe(Date.parse(done.finished_at as string) / 1000);
    // never succeeded: counted from its registration
    const registered = await t.prisma.instance.findUniqueOrThrow({ where: { id: bad.id } });
    expect(
      sample(text, 'backup_manager_last_successful_backup_timestamp_seconds', {
        instance_id: bad.id,
      }),
    ).toBe(registered.createdAt.getTime() / 1000);
    expect(
      sample(text, 'backup_manager_queue_jobs', { queue: 'backups', state: 'completed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'backup_manager_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/instances/:instance_id/backups',
        status: '202',
      }),
    ).toBe(2);
    expect(text).not.toContain('never-shown');
  });

  it('the documented alert selects an instance that never succeeded, once it has gone 26 h without', async () => {
    await t.prisma.instance.update({
      where: { id: bad.id },
      data: { createdAt: new Date(Date.now() - 2 * 86400_000) },
    });
    const text = (await t.http.get('/metrics').set(SCRAPER).expect(200)).text;
    // time() - backup_manager_last_successful_backup_timestamp_seconds > 26*3600
    const now = Date.now() / 1000;
    const firing = text
      .split('\n')
      .filter((l) => l.startsWith('backup_manager_last_successful_backup_timestamp_seconds{'))
      .filter((l) => now - Number(l.slice(l.lastIndexOf(' ') + 1)) > 26 * 3600)
      .map((l) => /instance_id="([^"]+)"/.exec(l)?.[1]);
    expect(firing).toEqual([bad.id]);
  });
});
