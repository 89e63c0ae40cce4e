import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionKeysRepository } from '../src/crypto/encryption-keys.repository';
import { decryptWithOpenssl } from './support/archives';
import { TEST_PG_ROOT } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  restoreIntoNewDatabase,
} from './support/postgres-fixtures';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

describe('backup pipeline (PostgreSQL)', () => {
  let t: TestApp;
  let worker: TestWorker;
  let source: string;
  const scratch = mkdtempSync(join(tmpdir(), 'bm-restore-'));
  const created: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
    source = await createSourceDatabase();
    created.push(source);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases(created);
  });

  const register = () =>
    registerInstance(t, { type: 'postgresql', connection_url: `${TEST_PG_ROOT}/${source}` });
  const archivePath = async (instanceId: string, id: number) => {
    const row = await t.prisma.backup.findUniqueOrThrow({
      where: { instanceId_number: { instanceId, number: id } },
    });
    return join(t.config.storagePath, row.storageKey!);
  };

  it('backs up, and the archive opens with the documented openssl | gunzip and restores with psql', async () => {
    const inst = await register();
    const key = 'user-key-Xb7!q';
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: key })
      .expect(200);

    const post = await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .expect(202);
    expect(post.body).toStrictEqual({ id: 1, message: 'job to backup is queued' });

    const backup = await waitForBackup(t, inst.id, inst.token, 1);
    expect(backup).toMatchObject({ status: 'done', downloadable: true });
    expect(backup.backup_id).toMatch(new RegExp(`^${inst.id}-\\d{13}$`));
    expect(Date.parse(backup.started_at as string)).toBeGreaterThanOrEqual(
      Date.parse(backup.triggered_at as string),
    );
    expect(Date.parse(backup.finished_at as string)).toBeGreaterThanOrEqual(
      Date.parse(backup.started_at as string),
    );

    const file = await archivePath(inst.id, 1);
    expect(backup.size).toBe(statSync(file).size);
    const stored = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
    expect(stored.sha256).toBe(
      execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0],
    );

    const plain = decryptWithOpenssl(file, key, mkdtempSync(join(scratch, 'pg-')));
    const target = await restoreIntoNewDatabase(plain);
    created.push(target);
    expect(fingerprint(target)).toBe(fingerprint(source));
    expect(fingerprint(target)).toMatch(/^2000:/);
  });

  it('without a user key the backup is not downloadable and opens only with the platform key; after a key is set the next one is', async () => {
    const inst = await register();
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    const first = await waitForBackup(t, inst.id, inst.token, 1);
    expect(first).toMatchObject({ status: 'done', downloadable: false });

    const row = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: inst.id, number: 1 },
    });
    const platformKey = await t.app.get(EncryptionKeysRepository).passphrase(row.encryptionKeyId);
    const file = await archivePath(inst.id, 1);
    expect(() =>
      decryptWithOpenssl(file, 'some-guessed-key', mkdtempSync(join(scratch, 'x-'))),
    ).toThrow();
    const plain = decryptWithOpenssl(file, platformKey, mkdtempSync(join(scratch, 'pk-')));
    expect(execFileSync('head', ['-c', '2000', plain], { encoding: 'utf8' })).toContain(
      'PostgreSQL database dump',
    );

    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: 'now-a-user-key' })
      .expect(200);
    const second = await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    expect(second.body.id).toBe(2);
    expect(await waitForBackup(t, inst.id, inst.token, 2)).toMatchObject({
      status: 'done',
      downloadable: true,
    });
    // the first backup keeps its key and stays not downloadable
    const list = await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth).expect(200);
    expect(
      list.body.map((b: { id: number; downloadable: boolean }) => [b.id, b.downloadable]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  it('a dump that fails ends failed with a reason that names no secret, and never done', async () => {
    const password = 'Pa55-w0rd-that-must-not-leak';
    const cases = [
      [
        'a database that does not exist',
        `postgresql://postgres:${password}@127.0.0.1:5432/no_such_db_x`,
        /does not exist/,
      ],
      ['an unreachable host', `postgresql://postgres:${password}@127.0.0.1:1/test`, /ECONNREFUSED/],
    ] as const;
    for (const [, url, reason] of cases) {
      const inst = await registerInstance(t, { type: 'postgresql', connection_url: url });
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
      const result = await waitForBackup(t, inst.id, inst.token, 1);
      expect(result).toMatchObject({ status: 'failed', downloadable: false, size: 0 });
      const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
      expect(row.failureReason).toMatch(reason);
      expect(row.failureReason).not.toContain(password);
      expect(row.storageKey).toBeNull();
    }
    expect(t.logs.join('\n')).not.toContain(password);
  });
});
