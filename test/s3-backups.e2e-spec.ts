import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetentionService } from '../src/retention/retention.service';
import { S3StorageDriver } from '../src/storage/s3-storage.driver';
import { decryptWithOpenssl } from './support/archives';
import { curl } from './support/curl';
import { databaseUrl } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  psql,
  restoreIntoNewDatabase,
} from './support/postgres-fixtures';
import { S3TestServer, startS3Server } from './support/s3';
import { seedDownloadableArchive } from './support/seed-archive';
import { waitFor } from './support/processes';
import { freePort } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

const KEY = 's3-download-key';

/** The whole service on STORAGE_DRIVER=s3, against a real S3-compatible server. */
describe('backups stored in an S3-compatible bucket', () => {
  let s3: S3TestServer;
  let t: TestApp;
  let worker: TestWorker;
  let base: string;
  const databases: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'bm-s3-e2e-'));

  beforeAll(async () => {
    s3 = await startS3Server('platform-a/backups');
    t = await startTestApp(s3.env);
    worker = await startTestWorker(t);
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await s3?.close();
    await dropDatabases(databases);
  });

  it('tells the operator at start whether the bucket can be used', async () => {
    await waitFor(
      () => Promise.resolve(t.logs.some((l) => l.includes('storage is usable'))),
      10000,
      'the probe',
    );
    const wrong = await startTestApp({ ...s3.env, S3_BUCKET: 'bm-no-such-bucket' });
    try {
      const line = await waitFor(
        () => Promise.resolve(wrong.logs.find((l) => l.includes('storage is not usable'))),
        10000,
        'the probe to fail',
      );
      expect(line).toContain('bucket \\"bm-no-such-bucket\\" cannot be used: it does not exist');
      expect(line).not.toContain(s3.env.S3_SECRET_ACCESS_KEY);
    } finally {
      await wrong.close();
    }
  });

  it('backs up into the bucket, downloads what openssl and gunzip open, and prunes objects', async () => {
    const source = await createSourceDatabase();
    databases.push(source);
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl(source),
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: KEY, retention_time: 0, min_backup_count: 1 })
      .expect(200);

    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    expect(await waitForBackup(t, inst.id, inst.token, 1)).toMatchObject({ status: 'done' });
    const first = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, number: 1 },
    });
    expect(await s3.keys()).toEqual([`platform-a/backups/${inst.id}/${first.backupId}.tgz`]);

    // the user's download comes from the bucket, byte for byte what was recorded
    const file = join(scratch, 'first.tgz');
    const { status } = await curl([
      '-H',
      `Authorization: Bearer ${inst.token}`,
      '-o',
      file,
      `${base}/v1/instances/${inst.id}/backups/1/download`,
    ]);
    expect(status).toBe(200);
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(Number(first.size));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(first.sha256);
    const restored = await restoreIntoNewDatabase(
      decryptWithOpenssl(file, KEY, mkdtempSync(join(scratch, 'd-'))),
    );
    databases.push(restored);
    expect(fingerprint(restored)).toBe(fingerprint(source));

    // a range is served from the bucket too
    const ranged = await fetch(`${base}/v1/instances/${inst.id}/backups/1/download`, {
      headers: { ...auth, Range: 'bytes=16-47' },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(16, 48))).toBe(true);

    // retention_time 0, min_backup_count 1: the second backup prunes the first, object and all
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    await waitForBackup(t, inst.id, inst.token, 2);
    const pruned = await waitForBackup(t, inst.id, inst.token, 1, ['deleted']);
    expect(pruned.status).toBe('deleted');
    const second = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, number: 2 },
    });
    expect(await s3.keys()).toEqual([`platform-a/backups/${inst.id}/${second.backupId}.tgz`]);

    // and the backup in the bucket is restored into the instance
    const atBackup = fingerprint(source);
    psql(source, `DELETE FROM orders; UPDATE customers SET name = 'changed'`);
    await t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set(auth)
      .send({ backup_id: 2 })
      .expect(202);
    const restore = await waitFor(
      async () => {
        const r = await t.http.get(`/v1/instances/${inst.id}/restores/1`).set(auth);
        return ['done', 'failed'].includes(r.body.status)
          ? (r.body as Record<string, unknown>)
          : null;
      },
      120000,
      'the restore from the bucket',
    );
    expect(restore).toMatchObject({ status: 'done' });
    expect(fingerprint(source)).toBe(atBackup);
  });
});

describe('downloads when the object store misbehaves', () => {
  // accepts connections and never answers; it holds them open until the end of the file
  const held = new Set<Socket>();
  const silent = createServer((socket) => held.add(socket));
  let silentPort: number;
  beforeAll(async () => {
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    silentPort = (silent.address() as AddressInfo).port;
  });
  afterAll(() => {
    for (const socket of held) socket.destroy();
    silent.close();
  });

  /** An API whose s3 driver points at `endpoint`, with one done, downloadable backup. */
  async function apiWithBackupAt(endpoint: string) {
    const t = await startTestApp({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'bm-unreachable',
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'key-id',
      S3_SECRET_ACCESS_KEY: 'secret-key',
      S3_FORCE_PATH_STYLE: 'true',
      UPSTREAM_TIMEOUT_MS: '1000',
    });
    const inst = await registerInstance(t);
    // a done, downloadable row; its sparse file lands in the fs directory, which s3 never reads
    await seedDownloadableArchive(t, inst, 100);
    const download = () =>
      t.http
        .get(`/v1/instances/${inst.id}/backups/1/download`)
        .set('Authorization', `Bearer ${inst.token}`);
    return { t, download };
  }

  it('504 within UPSTREAM_TIMEOUT_MS when the store does not answer', async () => {
    const { t, download } = await apiWithBackupAt(`http://127.0.0.1:${silentPort}`);
    try {
      const started = Date.now();
      const res = await download();
      expect(res.status).toBe(504);
      expect(res.body).toStrictEqual({ message: expect.stringMatching(/in time/), status: 504 });
      // never a hang; generous for a busy machine
      expect(Date.now() - started).toBeLessThan(1000 + 8000);
    } finally {
      await t.close();
    }
  });

  it('a backup into a store that refuses connections ends failed, with no credential in its reason; the upload it could not abort is aborted once the store is back', async () => {
    const port = await freePort();
    const t = await startTestApp({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'bm-test-backups',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      // a key id the store knows, signed with a secret it does not (the store is told to allow it)
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'secret-key',
      S3_FORCE_PATH_STYLE: 'true',
    });
    const worker = await startTestWorker(t);
    try {
      const inst = await registerInstance(t, {
        type: 'postgresql',
        connection_url: databaseUrl('postgres'),
      });
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
      // three attempts, 5 s and 10 s apart
      const backup = await waitForBackup(t, inst.id, inst.token, 1, ['done', 'failed'], 45000);
      expect(backup.status).toBe('failed');
      const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
      expect(row.failureReason).toMatch(/ECONNREFUSED|connect/i);
      expect(row.failureReason + t.logs.join('\n')).not.toContain('secret-key');

      // what the upload may have left could not be aborted: it is remembered…
      const partial = { storageKey: `${inst.id}/${row.backupId}.tgz`, partial: true };
      expect(await t.prisma.orphanArchive.count({ where: partial })).toBe(1);
      // …and the hourly pass aborts it once the store answers again
      const store = await startS3Server('', { port, anyCredentials: true });
      try {
        await worker.worker.get(RetentionService).prune();
      } finally {
        await store.close();
      }
      expect(await t.prisma.orphanArchive.count({ where: partial })).toBe(0);
    } finally {
      await worker.close();
      await t.close();
    }
  });

  it('502 when the store refuses connections, and no credential in the answer or the logs', async () => {
    const { t, download } = await apiWithBackupAt(`http://127.0.0.1:${await freePort()}`);
    try {
      const res = await download();
      expect(res.status).toBe(502);
      expect(res.body).toStrictEqual({
        message: 'The archive could not be read from storage.',
        status: 502,
      });
      expect(JSON.stringify(res.body) + t.logs.join('\n')).not.toContain('secret-key');
    } finally {
      await t.close();
    }
  });
});

describe('removing archives from a store that refuses connections', () => {
  it('names every key it could not remove, and why, without a credential', async () => {
    const port = await freePort();
    const driver = new S3StorageDriver(
      {
        bucket: 'bm-test-backups',
        prefix: 'archives',
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'secret-key',
      },
      2000,
    );
    try {
      // two requests' worth (1,000 keys a request)
      const keys = Array.from({ length: 1001 }, (_, i) => `inst-x/b-${i}.tgz`);
      const { failed, error } = await driver.deleteMany(keys);
      expect(failed.sort()).toEqual([...keys].sort());
      expect(error).toMatch(/ECONNREFUSED|connect/i);
      expect(error).not.toContain('secret-key');
    } finally {
      driver.onModuleDestroy();
    }
  });
});
