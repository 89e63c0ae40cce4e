import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { BackupRecoveryService } from '../src/backups/backup-recovery.service';
import { MAINTENANCE_QUEUE } from '../src/jobs/queue.contract';
import { decryptWithOpenssl } from './support/archives';
import { databaseUrl } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  holdTableLock,
  restoreIntoNewDatabase,
} from './support/postgres-fixtures';
import { waitFor } from './support/processes';
import { RedisServer, startRedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

/**
 * The service's own Redis (a private one: the shared server is never stopped) is killed while
 * a backup is running and comes back empty, as a Redis without persistence does.
 */
describe('Redis restarted without its data while a backup runs', () => {
  let redis: RedisServer;
  let t: TestApp;
  let worker: TestWorker;
  let source: string;
  const databases: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTestApp({ REDIS_URL: redis.url });
    worker = await startTestWorker(t);
    source = await createSourceDatabase();
    databases.push(source);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await redis?.stop();
    await dropDatabases(databases);
  });

  it('lets the live backup finish done, and puts the maintenance schedules back by itself', async () => {
    const maintenance = worker.worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    expect((await maintenance.getJobSchedulers()).length).toBe(3);

    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    const key = 'redis-restart-key';
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: key })
      .expect(200);
    const lock = await holdTableLock(source, 'orders');
    try {
      await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
      await waitForBackup(t, inst.id, inst.token, 1, ['running'], 60000);

      await redis.stop();
      redis = await startRedisServer(redis.port);

      // the sweep that used to fail the backup ("the worker … stopped") now sees its heartbeat
      const recovery = worker.worker.get(BackupRecoveryService);
      await waitFor(() => recovery.sweep().then(() => true), 60000, 'a sweep on the new Redis');
      const during = await waitForBackup(t, inst.id, inst.token, 1, ['running', 'failed', 'done']);
      expect(during.status).toBe('running');
    } finally {
      await lock.release();
    }

    const result = await waitForBackup(t, inst.id, inst.token, 1, ['done', 'failed'], 120000);
    expect(result).toMatchObject({ status: 'done' });
    const dir = join(t.config.storagePath, inst.id);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const plain = decryptWithOpenssl(
      join(dir, files[0]),
      key,
      mkdtempSync(join(tmpdir(), 'bm-rr-')),
    );
    const restored = await restoreIntoNewDatabase(plain);
    databases.push(restored);
    expect(fingerprint(restored)).toBe(fingerprint(source));

    // the schedulers were lost with Redis's data; a worker puts them back within minutes
    const names = await waitFor(
      async () => {
        const s = await maintenance.getJobSchedulers();
        return s.length === 3 ? s.map((x) => x.key).sort() : null;
      },
      150000,
      'the maintenance schedulers to come back',
    );
    expect(names).toEqual(['plan-scheduled-backups', 'plan-verifications', 'prune-all']);
  }, 300000);
});
