import { databaseUrl } from './support/databases';
import { createSourceDatabase, dropDatabases, holdTableLock } from './support/postgres-fixtures';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { RedisServer, startRedisServer } from './support/servers';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';
import { waitForBackup } from './support/test-worker';

/**
 * The worker as its own process, in a process group of its own as a terminal's foreground job
 * is, on a private Redis that the test stops and starts.
 */
describe('the worker process', () => {
  let redis: RedisServer;
  let t: TestApp;
  let source: string;
  let worker: RunningProcess | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTestApp({ REDIS_URL: redis.url });
    source = await createSourceDatabase();
  });
  afterAll(async () => {
    if (worker?.child.exitCode === null && worker.child.signalCode === null) {
      process.kill(-worker.child.pid!, 'SIGKILL');
    }
    await t?.close();
    await redis?.stop();
    await dropDatabases([source]);
  });

  it('stops with status 0 on SIGTERM when its queues close in time', async () => {
    const idle = startEntry('worker.ts', processEnvFor(t), process.cwd(), { ownGroup: true });
    try {
      await waitFor(
        () => Promise.resolve(idle.output().includes('worker running')),
        120000,
        'the worker to start',
      );
      // status 0, not "killed by SIGTERM": an orchestrator reads the latter as a crash
      expect(await idle.stop('SIGTERM')).toBe(0);
      expect(idle.child.signalCode).toBeNull();
      expect(idle.output()).toContain('"msg":"stopped"');
    } finally {
      if (idle.child.exitCode === null && idle.child.signalCode === null) {
        process.kill(-idle.child.pid!, 'SIGKILL');
      }
    }
  }, 300000);

  it('logs only JSON lines through a Redis outage, and Ctrl-C drains the running backup instead of failing it', async () => {
    worker = startEntry('worker.ts', processEnvFor(t), process.cwd(), { ownGroup: true });
    const exited = new Promise<string>((resolve) =>
      worker!.child.once('exit', (code, signal) => resolve(`code ${code} signal ${signal}`)),
    );
    await waitFor(
      () => Promise.resolve(worker!.output().includes('worker running')),
      120000,
      'the worker to start',
    );
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const lock = await holdTableLock(source, 'orders');
    try {
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
      await waitForBackup(t, inst.id, inst.token, 1, ['running'], 60000);

      // Redis goes away for a while and comes back empty
      await redis.stop();
      await waitFor(
        () => Promise.resolve(/ECONNREFUSED/.test(worker!.output())),
        60000,
        'the worker to notice that Redis is gone',
      );
      redis = await startRedisServer(redis.port);

      // Ctrl-C: the terminal sends SIGINT to the whole foreground process group
      process.kill(-worker.child.pid!, 'SIGINT');
      await waitFor(
        () => Promise.resolve(worker!.output().includes('shutting down')),
        60000,
        'the worker to start its shutdown',
      );
    } finally {
      await lock.release();
    }

    const result = await waitForBackup(t, inst.id, inst.token, 1, ['done', 'failed'], 120000);
    expect(result).toMatchObject({ status: 'done' });
    expect(await exited).toBe('code 0 signal null');

    const lines = worker
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const notJson = lines.filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const messages = lines.map((l) => (JSON.parse(l) as { msg?: string }).msg ?? '');
    // the shutdown is in the log, from its start to its end
    expect(messages).toContain('shutting down: finishing work in progress');
    expect(['stopped', 'queue connections did not close in time; exiting']).toContain(
      messages[messages.length - 1],
    );
  }, 300000);
});
