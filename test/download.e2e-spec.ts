import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupsRepository } from '../src/backups/backups.repository';
import { decryptWithOpenssl } from './support/archives';
import { curl } from './support/curl';
import { seedDownloadableArchive } from './support/seed-archive';
import { databaseUrl } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  restoreIntoNewDatabase,
} from './support/postgres-fixtures';
import { TestApp, mintToken, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

const KEY = 'download-key-42';
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('GET …/backups/:id/download', () => {
  let t: TestApp;
  let worker: TestWorker;
  let base: string;
  let source: string;
  const databases: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'bm-download-'));
  let inst: { id: string; token: string };
  let auth: string;

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    source = await createSourceDatabase();
    databases.push(source);
    inst = await registerInstance(t, { type: 'postgresql', connection_url: databaseUrl(source) });
    auth = `Authorization: Bearer ${inst.token}`;
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send({ encryption_key: KEY })
      .expect(200);
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    await waitForBackup(t, inst.id, inst.token, 1);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases(databases);
  });

  const url = (id: number | string = 1, instanceId = inst.id) =>
    `${base}/v1/instances/${instanceId}/backups/${id}/download`;

  it('curl downloads an archive that openssl and gunzip open and psql restores to identical content', async () => {
    const file = join(scratch, 'full.tgz');
    const { status, headers } = await curl(['-H', auth, '-o', file, url()]);
    expect(status).toBe(200);
    const row = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, number: 1 },
    });
    expect(headers['content-type']).toBe('application/octet-stream');
    expect(Number(headers['content-length'])).toBe(Number(row.size));
    expect(statSync(file).size).toBe(Number(row.size));
    expect(headers['content-disposition']).toBe(`attachment; filename="${row.backupId}.tgz"`);
    expect(headers['accept-ranges']).toBe('bytes');
    expect(headers.etag).toBe(`"${row.sha256}"`);
    expect(sha256(file)).toBe(row.sha256);

    const restored = await restoreIntoNewDatabase(
      decryptWithOpenssl(file, KEY, mkdtempSync(join(scratch, 'd-'))),
    );
    databases.push(restored);
    expect(fingerprint(restored)).toBe(fingerprint(source));
  });

  it('an interrupted download resumed with Range: bytes=N- is identical to an uninterrupted one', async () => {
    const whole = join(scratch, 'whole.tgz');
    await curl(['-H', auth, '-o', whole, url()]);
    const size = statSync(whole).size;

    // interrupt a download after its first bytes
    const partial = join(scratch, 'partial.tgz');
    const res = await fetch(url(), { headers: { Authorization: `Bearer ${inst.token}` } });
    const reader = res.body!.getReader();
    const first = await reader.read();
    await reader.cancel();
    const cut = Math.min(first.value!.length, Math.floor(size / 3));
    writeFileSync(partial, first.value!.subarray(0, cut));

    // resume as curl does (-C - sends Range: bytes=<size of partial file>-)
    const etag = res.headers.get('etag')!;
    const resumed = await curl([
      '-H',
      auth,
      '-H',
      `If-Range: ${etag}`,
      '-C',
      '-',
      '-o',
      partial,
      url(),
    ]);
    expect(resumed.status).toBe(206);
    expect(resumed.headers['content-range']).toBe(`bytes ${cut}-${size - 1}/${size}`);
    expect(Number(resumed.headers['content-length'])).toBe(size - cut);
    expect(sha256(partial)).toBe(sha256(whole));
    expect(`"${sha256(partial)}"`).toBe(etag);
  });

  it('serves single ranges, ignores a stale If-Range, and answers 416 outside the archive', async () => {
    const row = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, number: 1 },
    });
    const size = Number(row.size);
    const whole = readFileSync(join(t.config.storagePath, row.storageKey!));
    const get = (headers: Record<string, string>) =>
      fetch(url(), { headers: { Authorization: `Bearer ${inst.token}`, ...headers } });

    const mid = await get({ Range: 'bytes=10-19' });
    expect(mid.status).toBe(206);
    expect(Buffer.from(await mid.arrayBuffer()).equals(whole.subarray(10, 20))).toBe(true);

    const tail = await get({ Range: 'bytes=-16' });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 16}-${size - 1}/${size}`);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(size - 16))).toBe(true);

    const stale = await get({ Range: 'bytes=10-19', 'If-Range': '"0000"' });
    expect(stale.status).toBe(200);
    expect(Number(stale.headers.get('content-length'))).toBe(size);
    await stale.arrayBuffer();

    const outside = await get({ Range: `bytes=${size}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${size}`);
    expect(await outside.json()).toStrictEqual({ message: expect.any(String), status: 416 });
  });

  describe('412 with {"message", "status"}', () => {
    const expect412 = async (target: string, token: string, messagePattern: RegExp) => {
      const res = await fetch(target, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(412);
      const body = await res.json();
      expect(body).toStrictEqual({ message: expect.stringMatching(messagePattern), status: 412 });
    };

    it('for an unknown instance', async () => {
      await expect412(url(1, 'no-such-instance'), await mintToken(t, ['*']), /instance/i);
    });

    it.each(['2', '999', 'abc', '0', '-1'])(
      'for backup id %s that this instance does not have',
      async (id) => {
        await expect412(url(id), inst.token, /backup/i);
      },
    );

    it('for a backup of another instance (ids do not cross instances)', async () => {
      const other = await registerInstance(t);
      await expect412(url(1, other.id), other.token, /backup/i);
    });

    it('for a backup that is not done', async () => {
      const i = await registerInstance(t, {
        type: 'postgresql',
        connection_url: databaseUrl(source),
      });
      await t.http
        .patch(`/v1/instances/${i.id}/backups-config`)
        .set('Authorization', `Bearer ${i.token}`)
        .send({ encryption_key: KEY });
      await t.app.get(BackupsRepository).insertQueued(i.id, 'manual', new Date());
      await expect412(url(1, i.id), i.token, /queued/);
    });

    it('for a backup made without a user key', async () => {
      const i = await registerInstance(t, {
        type: 'postgresql',
        connection_url: databaseUrl(source),
      });
      await t.http
        .post(`/v1/instances/${i.id}/backups`)
        .set('Authorization', `Bearer ${i.token}`)
        .expect(202);
      expect(await waitForBackup(t, i.id, i.token, 1)).toMatchObject({
        status: 'done',
        downloadable: false,
      });
      await expect412(url(1, i.id), i.token, /encryption key/);
    });

    it('when downloads are disabled', async () => {
      const off = await startTestApp({
        DOWNLOADS_ENABLED: 'false',
        STORAGE_PATH: t.config.storagePath,
      });
      try {
        const token = await mintToken(off, ['*']);
        const res = await off.http
          .get(`/v1/instances/${inst.id}/backups/1/download`)
          .set('Authorization', `Bearer ${token}`);
        // another database: the instance is unknown there, which is also a 412
        expect(res.status).toBe(412);
        const i = await registerInstance(off);
        const r = off.app.get(BackupsRepository);
        await off.http
          .patch(`/v1/instances/${i.id}/backups-config`)
          .set('Authorization', `Bearer ${i.token}`)
          .send({ encryption_key: KEY });
        const b = await r.insertQueued(i.id, 'manual', new Date());
        await r.markRunning(b.pk);
        await r.markDone(b.pk, { storageKey: 'x/y.tgz', size: 1n, sha256: 'a'.repeat(64) });
        const disabled = await off.http
          .get(`/v1/instances/${i.id}/backups/1/download`)
          .set('Authorization', `Bearer ${i.token}`);
        expect(disabled.status).toBe(412);
        expect(disabled.body).toStrictEqual({
          message: expect.stringMatching(/disabled/),
          status: 412,
        });
      } finally {
        await off.close();
      }
    });
  });

  it('401 and 403 as on the other routes, in the download body', async () => {
    const none = await fetch(url());
    expect(none.status).toBe(401);
    expect(await none.json()).toStrictEqual({ message: expect.any(String), status: 401 });
    const other = await registerInstance(t);
    const forbidden = await fetch(url(), { headers: { Authorization: `Bearer ${other.token}` } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toStrictEqual({ message: expect.any(String), status: 403 });
  });

  it('clients that hang up mid-download leave no archive open in the API', async () => {
    const i = await registerInstance(t);
    const { path } = await seedDownloadableArchive(t, i, 64 * 1024 * 1024);
    const openOnArchive = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false; // closed meanwhile
        }
      }).length;

    for (let n = 0; n < 5; n++) {
      const controller = new AbortController();
      const res = await fetch(url(1, i.id), {
        headers: { Authorization: `Bearer ${i.token}` },
        signal: controller.signal,
      });
      await res.body!.getReader().read();
      controller.abort();
    }
    let open = openOnArchive();
    for (let waited = 0; open > 0 && waited < 5000; waited += 50) {
      await new Promise((done) => setTimeout(done, 50));
      open = openOnArchive();
    }
    expect(open).toBe(0);
    // and the API still serves
    const again = await fetch(url(1, i.id), {
      headers: { Authorization: `Bearer ${i.token}`, Range: 'bytes=0-9' },
    });
    expect(again.status).toBe(206);
    expect((await again.arrayBuffer()).byteLength).toBe(10);
  });

  it('502 in the download body, without the archive headers, when storage fails before the first byte', async () => {
    const i = await registerInstance(t);
    const { path } = await seedDownloadableArchive(t, i, 100);
    // a directory where the archive should be: opening it works, reading it fails (EISDIR)
    rmSync(path);
    mkdirSync(path);

    const res = await fetch(url(1, i.id), { headers: { Authorization: `Bearer ${i.token}` } });
    expect(res.status).toBe(502);
    expect(await res.json()).toStrictEqual({
      message: 'The archive could not be read from storage.',
      status: 502,
    });
    expect(res.headers.get('content-disposition')).toBeNull();
    expect(res.headers.get('etag')).toBeNull();
  });

  it('cuts the connection when storage fails mid-way instead of passing off a short body', async () => {
    const i = await registerInstance(t);
    const size = 64 * 1024 * 1024;
    const { path } = await seedDownloadableArchive(t, i, size);

    const res = await fetch(url(1, i.id), { headers: { Authorization: `Bearer ${i.token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = (await reader.read()).value!.length;
    truncateSync(path, received); // the storage loses the rest
    const outcome = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        received += value.length;
      }
    })().catch(() => 'cut');
    expect(outcome).toBe('cut');
    expect(received).toBeLessThan(size);
  });
});
