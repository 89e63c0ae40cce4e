import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { decryptWithOpenssl } from './support/archives';
import { mariadb } from './support/mariadb';
import { startRedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';
import { testDatabaseName } from './support/databases';

const KEY = 'engine-test-key-1';
describe('dump engines, restored with their own tools', () => {
  let t: TestApp;
  let worker: TestWorker;
  const scratch = mkdtempSync(join(tmpdir(), 'bm-engines-'));

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  /** Registers, sets the user key, triggers one backup, waits for done; returns the archive path. */
  async function backUp(type: string, connectionUrl: string): Promise<string> {
    const inst = await registerInstance(t, { type, connection_url: connectionUrl });
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ encryption_key: KEY })
      .expect(200);
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    const backup = await waitForBackup(t, inst.id, inst.token, 1);
    expect(backup).toMatchObject({ status: 'done', downloadable: true });
    const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
    const file = join(t.config.storagePath, row.storageKey!);
    expect(backup.size).toBe(statSync(file).size);
    return file;
  }

  describe('MariaDB', () => {
    const source = testDatabaseName('src');
    const target = testDatabaseName('dst');
    const user = `bm_${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}"'\\`;
    const checksum = (db: string) =>
      mariadb(`SELECT COUNT(*), MD5(GROUP_CONCAT(id, name, HEX(data) ORDER BY id)) FROM items`, db);

    beforeAll(() => {
      mariadb(`CREATE DATABASE ${source}; CREATE DATABASE ${target};
        CREATE USER '${user}'@'%' IDENTIFIED BY '${password.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';
        GRANT ALL ON ${source}.* TO '${user}'@'%';`);
      mariadb(
        `CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4, data BLOB) ENGINE=InnoDB;
         INSERT INTO items SELECT seq, CONCAT('item ', seq, ' ✓ ü'), UNHEX(MD5(seq)) FROM seq_1_to_3000;`,
        source,
      );
    });
    afterAll(() =>
      mariadb(
        `DROP DATABASE IF EXISTS ${source}; DROP DATABASE IF EXISTS ${target}; DROP USER IF EXISTS '${user}'@'%';`,
      ),
    );

    it('mariadb-dump with a password user; the mariadb client restores identical rows', async () => {
      const url = `mariadb://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/${source}`;
      const plain = decryptWithOpenssl(
        await backUp('mariadb', url),
        KEY,
        mkdtempSync(join(scratch, 'm-')),
      );
      execFileSync('sh', ['-c', `mariadb -h 127.0.0.1 -P 3306 -uroot ${target} < "${plain}"`]);
      expect(checksum(target)).toBe(checksum(source));
      expect(checksum(target)).toMatch(/^3000\t/);
    });

    it('a wrong password ends failed with a reason that does not contain it', async () => {
      const wrong = 'Wr0ng-Passw0rd-xyz';
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://${user}:${wrong}@127.0.0.1:3306/${source}`,
      });
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
      expect(await waitForBackup(t, inst.id, inst.token, 1)).toMatchObject({
        status: 'failed',
        size: 0,
      });
      const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
      expect(row.failureReason).toMatch(/Access denied/);
      expect(row.failureReason).not.toContain(wrong);
      expect(t.logs.join('\n')).not.toContain(wrong);
    });
  });

  describe('Redis', () => {
    it('redis-cli --rdb; a fresh redis-server started from the RDB holds the same data', async () => {
      const password = `redis-pw-${randomBytes(4).toString('hex')}`;
      const source = await startRedisServer(undefined, ['--requirepass', password]);
      const restoredDir = mkdtempSync(join(scratch, 'r-'));
      let restored: Awaited<ReturnType<typeof startRedisServer>> | undefined;
      try {
        const src = new IORedis(source.url, { password });
        const pipeline = src.pipeline();
        for (let i = 0; i < 2000; i++) pipeline.set(`key:${i}`, `value ${i} ✓`);
        pipeline.hset('hash', { a: '1', b: '2' });
        pipeline.rpush('list', 'x', 'y', 'z');
        await pipeline.exec();
        src.disconnect();

        const url = `redis://:${password}@127.0.0.1:${source.port}`;
        const plain = decryptWithOpenssl(
          await backUp('redis', url),
          KEY,
          mkdtempSync(join(scratch, 'rd-')),
        );
        copyFileSync(plain, join(restoredDir, 'dump.rdb'));
        restored = await startRedisServer(undefined, [
          '--dir',
          restoredDir,
          '--dbfilename',
          'dump.rdb',
        ]);
        const dst = new IORedis(restored.url);
        expect(await dst.dbsize()).toBe(2002);
        expect(await dst.get('key:1234')).toBe('value 1234 ✓');
        expect(await dst.hgetall('hash')).toEqual({ a: '1', b: '2' });
        expect(await dst.lrange('list', 0, -1)).toEqual(['x', 'y', 'z']);
        dst.disconnect();
        expect(t.logs.join('\n')).not.toContain(password);
      } finally {
        await source.stop();
        await restored?.stop();
      }
    });
  });
});
