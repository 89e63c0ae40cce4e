import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { databaseUrl, testDatabaseName } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  holdTableLock,
  psql,
} from './support/postgres-fixtures';
import { waitFor } from './support/processes';
import { mariadb } from './support/mariadb';
import { startRedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

describe('restores', () => {
  let t: TestApp;
  let worker: TestWorker;
  const databases: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases(databases);
  });

  type Inst = { id: string; token: string };
  const auth = (i: Inst) => ({ Authorization: `Bearer ${i.token}` });
  const setKey = (i: Inst, key: string) =>
    t.http
      .patch(`/v1/instances/${i.id}/backups-config`)
      .set(auth(i))
      .send({ encryption_key: key })
      .expect(200);
  async function backUp(i: Inst, n: number): Promise<void> {
    await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
    expect(await waitForBackup(t, i.id, i.token, n)).toMatchObject({ status: 'done' });
  }
  async function restore(i: Inst, backupId: number): Promise<Record<string, unknown>> {
    const res = await t.http
      .post(`/v1/instances/${i.id}/restores`)
      .set(auth(i))
      .send({ backup_id: backupId });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(Number), message: 'job to restore is queued' });
    return waitFor(
      async () => {
        const r = await t.http.get(`/v1/instances/${i.id}/restores/${res.body.id}`).set(auth(i));
        return ['done', 'failed'].includes(r.body.status)
          ? (r.body as Record<string, unknown>)
          : null;
      },
      120000,
      'the restore to finish',
    );
  }

  describe('PostgreSQL', () => {
    let source: string;
    let inst: Inst;
    let atBackup: string;

    beforeAll(async () => {
      source = await createSourceDatabase();
      databases.push(source);
      inst = await registerInstance(t, { type: 'postgresql', connection_url: databaseUrl(source) });
      // the backup is taken under the first of three keys
      await setKey(inst, 'first-user-key');
      await backUp(inst, 1);
      atBackup = fingerprint(source);
      await setKey(inst, 'second-user-key');
      await setKey(inst, 'third-user-key');
    });

    it('puts the database back as it was at backup time, under a key replaced twice since', async () => {
      psql(
        source,
        `INSERT INTO customers VALUES (9001, 'new', NULL, '\\x00');
         UPDATE customers SET name = 'changed' WHERE id = 5;
         DELETE FROM orders WHERE id <= 100;
         CREATE TABLE created_since (x int);
         DROP TABLE orders;`,
      );
      expect(fingerprint.bind(null, source)).toThrow(); // orders is gone
      const result = await restore(inst, 1);
      expect(result).toMatchObject({
        id: 1,
        backup_id: 1,
        status: 'done',
        started_at: expect.any(String),
        finished_at: expect.any(String),
        metadata: { restored_from: expect.any(String) },
      });
      expect(result.failure_reason).toBeUndefined();
      expect(fingerprint(source)).toBe(atBackup);
      expect(psql(source, `SELECT to_regclass('public.created_since') IS NULL`)).toBe('t');

      const list = await t.http
        .get(`/v1/instances/${inst.id}/restores`)
        .set(auth(inst))
        .expect(200);
      expect(list.body).toHaveLength(1);
      const backup = await t.http.get(`/v1/instances/${inst.id}/backups/1`).set(auth(inst));
      expect(list.body[0].metadata.restored_from).toBe(backup.body.triggered_at);
    });

    it('one flipped byte in the stored archive: failed, naming the checksum, and the data untouched', async () => {
      const row = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: inst.id, number: 1 },
      });
      const file = join(t.config.storagePath, row.storageKey!);
      const original = readFileSync(file);
      const damaged = Buffer.from(original);
      damaged[Math.floor(damaged.length / 2)] ^= 0x01;
      writeFileSync(file, damaged);
      try {
        psql(source, `UPDATE customers SET name = 'after the backup' WHERE id = 7`);
        const before = fingerprint(source);
        const result = await restore(inst, 1);
        expect(result.status).toBe('failed');
        expect(result.failure_reason).toMatch(/SHA-256/);
        expect(fingerprint(source)).toBe(before);
      } finally {
        writeFileSync(file, original);
      }
    });

    it('a dump that fails half-way leaves the database untouched (one transaction)', async () => {
      // a backup whose dump was made of a database the target cannot take: its content refers to
      // a role that does not exist on this server, so psql stops in the middle
      const other = await createSourceDatabase();
      databases.push(other);
      const role = testDatabaseName('gone');
      psql(
        other,
        `CREATE ROLE ${role}; CREATE TABLE late (x int); ALTER TABLE late OWNER TO ${role};`,
      );
      const inst2 = await registerInstance(t, {
        type: 'postgresql',
        connection_url: databaseUrl(other),
      });
      await setKey(inst2, 'half-way-key');
      await backUp(inst2, 1);
      psql(
        other,
        `DROP TABLE late; DROP ROLE ${role}; UPDATE customers SET name = 'kept' WHERE id = 1;`,
      );
      const before = fingerprint(other);
      const result = await restore(inst2, 1);
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(/psql exited with code 3: .*role/);
      expect(fingerprint(other)).toBe(before);
      expect(psql(other, `SELECT name FROM customers WHERE id = 1`)).toBe('kept');
    });

    it('409 while a backup or a restore of the instance is queued or running; 422 and 404 for what cannot be restored', async () => {
      const other = await createSourceDatabase();
      databases.push(other);
      const i = await registerInstance(t, {
        type: 'postgresql',
        connection_url: databaseUrl(other),
      });
      await backUp(i, 1);
      const post = (body: unknown) =>
        t.http
          .post(`/v1/instances/${i.id}/restores`)
          .set(auth(i))
          .send(body as object);

      const lock = await holdTableLock(other, 'orders');
      try {
        // a backup running: no restore
        await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
        await waitForBackup(t, i.id, i.token, 2, ['running']);
        const busy = await post({ backup_id: 1 });
        expect(busy.status).toBe(409);
        expect(busy.body).toEqual({
          error: 'BackupInProgress',
          description: expect.stringContaining(i.id),
        });
      } finally {
        await lock.release();
      }
      await waitForBackup(t, i.id, i.token, 2);

      // a restore running (the lock makes it wait): no backup and no second restore
      const lock2 = await holdTableLock(other, 'orders');
      try {
        expect((await post({ backup_id: 1 })).status).toBe(202);
        await waitFor(
          async () =>
            (await t.prisma.restore.findFirst({
              where: { instanceId: i.id, status: 'running' },
            })) !== null,
          60000,
          'the restore to run',
        );
        expect((await post({ backup_id: 2 })).status).toBe(409);
        const backup = await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i));
        expect(backup.status).toBe(409);
      } finally {
        await lock2.release();
      }
      await waitFor(
        async () =>
          (await t.prisma.restore.count({
            where: { instanceId: i.id, status: { in: ['queued', 'running'] } },
          })) === 0,
        120000,
        'the restore to end',
      );

      await t.prisma.backupRow.update({
        where: { instanceId_number: { instanceId: i.id, number: 2 } },
        data: { status: 'failed' },
      });
      const failed = await post({ backup_id: 2 });
      expect(failed.status).toBe(422);
      expect(failed.body).toEqual({
        error: 'BackupNonRestorableState',
        description: expect.stringMatching(/failed/),
      });
      await t.prisma.backupRow.update({
        where: { instanceId_number: { instanceId: i.id, number: 2 } },
        data: { status: 'deleted' },
      });
      expect((await post({ backup_id: 2 })).body.description).toMatch(/pruned/);
      for (const [bad, says] of [
        [{}, /backup_id is required/],
        [{ backup_id: '1' }, /backup_id must be the integer id of a backup/],
        [{ backup_id: true }, /backup_id must be the integer id of a backup/],
        [{ backup_id: 0 }, /backup_id must be 1 or more/],
        [{ backup_id: 1.5 }, /backup_id must be the integer id of a backup/],
        [{ backup_id: 1, x: 1 }, /"x" is not a known field/],
      ] as const) {
        const res = await post(bad);
        expect({ bad, status: res.status, body: res.body }).toEqual({
          bad,
          status: 422,
          body: { error: 'InvalidParameters', description: expect.stringMatching(says) },
        });
      }
      const unknown = await post({ backup_id: 99 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe('BackupNotFound');
      await t.http.get(`/v1/instances/${i.id}/restores/99`).set(auth(i)).expect(404);
      await t.http.get(`/v1/instances/${i.id}/restores/abc`).set(auth(i)).expect(404);
      await t.http.post(`/v1/instances/${i.id}/restores`).send({ backup_id: 1 }).expect(401);
    });
  });

  describe('MariaDB', () => {
    const db = testDatabaseName('rst');
    const digest = () =>
      mariadb(
        `SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${db}';
         SELECT COUNT(*), MD5(GROUP_CONCAT(id, name, HEX(data) ORDER BY id)) FROM items;`,
        db,
      );
    beforeAll(() => {
      mariadb(`CREATE DATABASE ${db}`);
      mariadb(
        `CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4, data BLOB) ENGINE=InnoDB;
         CREATE TABLE tags (id INT PRIMARY KEY, item_id INT, FOREIGN KEY (item_id) REFERENCES items(id)) ENGINE=InnoDB;
         INSERT INTO items SELECT seq, CONCAT('item ', seq, ' ✓'), UNHEX(MD5(seq)) FROM seq_1_to_2000;
         INSERT INTO tags SELECT seq, seq FROM seq_1_to_100;`,
        db,
      );
    });
    afterAll(() => mariadb(`DROP DATABASE IF EXISTS ${db}`));

    it('puts the database back as it was at backup time', async () => {
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://root@127.0.0.1:3306/${db}`,
      });
      await backUp(inst, 1);
      const atBackup = digest();
      mariadb(
        `INSERT INTO items VALUES (9001, 'new', NULL); UPDATE items SET name = 'changed' WHERE id = 3;
         DELETE FROM tags; DROP TABLE tags; CREATE TABLE created_since (x INT);`,
        db,
      );
      expect(await restore(inst, 1)).toMatchObject({ status: 'done' });
      expect(digest()).toBe(atBackup);
    });
  });

  describe('MariaDB, failing half-way', () => {
    const db = testDatabaseName('rsh');
    const user = `bm_${randomBytes(3).toString('hex')}`;
    beforeAll(() => {
      mariadb(`CREATE DATABASE ${db}; CREATE USER '${user}'@'%' IDENTIFIED BY 'half-way-pw';
        GRANT ALL ON ${db}.* TO '${user}'@'%';`);
      mariadb(
        `CREATE TABLE a_first (id INT PRIMARY KEY) ENGINE=InnoDB;
         INSERT INTO a_first SELECT seq FROM seq_1_to_50;
         CREATE TRIGGER a_first_guard BEFORE INSERT ON a_first FOR EACH ROW SET NEW.id = NEW.id;
         CREATE TABLE b_second (id INT PRIMARY KEY) ENGINE=InnoDB;
         INSERT INTO b_second SELECT seq FROM seq_1_to_50;`,
        db,
      );
    });
    afterAll(() => mariadb(`DROP DATABASE IF EXISTS ${db}; DROP USER IF EXISTS '${user}'@'%';`));

    it('keeps the tables restored before the failing statement, and says what failed (the documented guarantee)', async () => {
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://${user}:half-way-pw@127.0.0.1:3306/${db}`,
      });
      await backUp(inst, 1);
      mariadb(`DELETE FROM a_first WHERE id > 10; CREATE TABLE c_since (x INT);`, db);
      // the instance's user may no longer create triggers: the dump's CREATE TRIGGER for a_first
      // fails after a_first was restored and before b_second was
      mariadb(`REVOKE TRIGGER ON ${db}.* FROM '${user}'@'%'`);
      const result = await restore(inst, 1);
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(/mariadb exited with code 1: .*TRIGGER/);
      expect(result.failure_reason).not.toContain('half-way-pw');
      const tables = mariadb(
        `SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${db}'`,
      );
      expect(tables).toBe('a_first');
      expect(mariadb('SELECT COUNT(*) FROM a_first', db)).toBe('50');
    });
  });

  describe('Redis', () => {
    it('puts every logical database back, with TTLs, and removes keys made since', async () => {
      const password = `redis-pw-${randomBytes(4).toString('hex')}`;
      const server = await startRedisServer(undefined, ['--requirepass', password]);
      const url = `redis://:${password}@127.0.0.1:${server.port}`;
      const db0 = new IORedis(url);
      const db3 = new IORedis(`${url}/3`);
      try {
        const p = db0.pipeline();
        for (let i = 0; i < 1500; i++) p.set(`key:${i}`, `value ${i} ✓`);
        p.hset('hash', { a: '1', b: '2' });
        p.rpush('list', 'x', 'y', 'z');
        p.set('expiring', 'soon', 'EX', 3600);
        await p.exec();
        await db3.set('in-db-3', 'three');
        const inst = await registerInstance(t, { type: 'redis', connection_url: url });
        await backUp(inst, 1);

        await db0.set('key:1', 'changed');
        await db0.del('hash', 'key:2');
        await db0.set('made-since', 'x');
        await db3.flushdb();
        await db3.set('made-since-3', 'y');

        const result = await restore(inst, 1);
        expect(result).toMatchObject({ status: 'done' });
        expect(await db0.dbsize()).toBe(1503);
        expect(await db0.get('key:1')).toBe('value 1 ✓');
        expect(await db0.get('key:2')).toBe('value 2 ✓');
        expect(await db0.exists('made-since')).toBe(0);
        expect(await db0.hgetall('hash')).toEqual({ a: '1', b: '2' });
        expect(await db0.lrange('list', 0, -1)).toEqual(['x', 'y', 'z']);
        const ttl = await db0.ttl('expiring');
        expect(ttl).toBeGreaterThan(3000);
        expect(await db0.ttl('key:5')).toBe(-1);
        expect(await db3.keys('*')).toEqual(['in-db-3']);
        expect(t.logs.join('\n')).not.toContain(password);
      } finally {
        db0.disconnect();
        db3.disconnect();
        await server.stop();
      }
    });
  });
});
