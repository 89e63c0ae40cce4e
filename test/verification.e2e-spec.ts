import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { mariadb } from './support/mariadb';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { waitFor } from './support/processes';
import { RedisServer, startRedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';
import { VerificationScheduleService } from '../src/verification/verification-schedule.service';
import { testDatabaseName } from './support/databases';

describe('verified backups', () => {
  let t: TestApp;
  let worker: TestWorker;
  let ADMIN: { Authorization: string };

  beforeAll(async () => {
    // scheduled verifications start at once when their period has begun
    t = await startTestApp({ BACKUP_SCHEDULE_JITTER: '0' });
    worker = await startTestWorker(t);
    ADMIN = { Authorization: `Bearer ${t.adminToken}` };
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  type Inst = { id: string; token: string };
  async function backUp(i: Inst, n: number): Promise<void> {
    await t.http
      .post(`/v1/instances/${i.id}/backups`)
      .set({ Authorization: `Bearer ${i.token}` })
      .expect(202);
    expect(await waitForBackup(t, i.id, i.token, n)).toMatchObject({ status: 'done' });
  }
  /** Asks for a verification and waits for its result, as an operator would. */
  async function verify(i: Inst, n: number): Promise<Record<string, unknown>> {
    const asked = await t.http
      .post(`/admin/v1/instances/${i.id}/backups/${n}/verify`)
      .set(ADMIN)
      .expect(202);
    expect(asked.body).toMatchObject({ status: 'running', verified_at: null });
    return waitFor(
      async () => {
        const res = await t.http.get(`/admin/v1/instances/${i.id}/backups/${n}`).set(ADMIN);
        const v = res.body.verification as Record<string, unknown> | undefined;
        return v && v.status !== 'running' ? v : null;
      },
      180000,
      'the verification to end',
    );
  }

  describe('PostgreSQL', () => {
    let pg: PostgresServer;
    let inst: Inst;

    beforeAll(async () => {
      pg = await startPostgresServer();
      await pg.query('CREATE DATABASE shop');
      await pg.query(
        `CREATE TABLE customers (id int PRIMARY KEY, name text);
         INSERT INTO customers SELECT i, 'customer ' || i || ' ✓' FROM generate_series(1, 1500) i;
         CREATE SCHEMA sales;
         CREATE TABLE sales."Order ""Items""" (id int, note text);
         INSERT INTO sales."Order ""Items""" SELECT i, E'line\\nbreak \\\\. (' || i || ')' FROM generate_series(1, 700) i;
         CREATE TABLE empty (x int);`,
        'shop',
      );
      inst = await registerInstance(t, { type: 'postgresql', connection_url: pg.url('shop') });
      await backUp(inst, 1);
    });
    afterAll(() => pg?.destroy());

    it('restores the newest backup into a scratch server, never the instance: verified with the counts', async () => {
      // the instance is away: a verification that needed it could not succeed
      pg.stop();
      try {
        const v = await verify(inst, 1);
        expect(v).toEqual({
          status: 'verified',
          verified_at: expect.any(String),
          duration_ms: expect.any(Number),
          tables: 3,
          rows: 2200,
          failure_reason: null,
        });
      } finally {
        pg.start();
      }
      // what the dump held was counted while it was made
      const backup = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: inst.id, number: 1 },
        include: { contents: true },
      });
      expect(backup.contents?.tables).toEqual([
        { table: 'public.customers', rows: 1500 },
        { table: 'public.empty', rows: 0 },
        { table: 'sales."Order ""Items"""', rows: 700 },
      ]);
      // operators see it in the list too; the public object stays as the a9s API has it
      const list = await t.http
        .get(`/admin/v1/backups?instance_id=${inst.id}`)
        .set(ADMIN)
        .expect(200);
      expect(list.body[0].verification).toMatchObject({ status: 'verified', rows: 2200 });
      const pub = await t.http
        .get(`/v1/instances/${inst.id}/backups/1`)
        .set({ Authorization: `Bearer ${inst.token}` })
        .expect(200);
      expect(pub.body.verification).toBeUndefined();
    });

    it('a restored copy that lacks rows the backup held: failed, naming the table', async () => {
      const backup = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: inst.id, number: 1 },
      });
      // the record says the dump held one row more than it did
      await t.prisma.backupContents.update({
        where: { backupPk: backup.pk },
        data: {
          tables: [
            { table: 'public.customers', rows: 1500 },
            { table: 'public.empty', rows: 0 },
            { table: 'sales."Order ""Items"""', rows: 701 },
          ],
        },
      });
      const v = await verify(inst, 1);
      expect(v.status).toBe('failed');
      // a verification that failed verified nothing
      expect(v.verified_at).toBeNull();
      expect(v.duration_ms).toEqual(expect.any(Number));
      expect(v.failure_reason).toBe(
        'table sales."Order ""Items""": the backup holds 701 rows, the restored copy 700',
      );
    });

    it('one flipped byte in the stored archive: failed, naming the checksum', async () => {
      await backUp(inst, 2);
      const row = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: inst.id, number: 2 },
      });
      const file = join(t.config.storagePath, row.storageKey!);
      const damaged = readFileSync(file);
      damaged[Math.floor(damaged.length / 2)] ^= 0x01;
      writeFileSync(file, damaged);
      const v = await verify(inst, 2);
      expect(v.status).toBe('failed');
      expect(v.failure_reason).toMatch(/SHA-256 does not match/);
    });

    it('answers 404 for a backup that does not exist and 409 for one that is not done', async () => {
      await t.http.post(`/admin/v1/instances/${inst.id}/backups/99/verify`).set(ADMIN).expect(404);
      await t.http.post(`/admin/v1/instances/${inst.id}/backups/abc/verify`).set(ADMIN).expect(404);
      await t.http.post(`/admin/v1/instances/nope/backups/1/verify`).set(ADMIN).expect(404);
      await t.http.post(`/admin/v1/instances/${inst.id}/backups/1/verify`).expect(401);
      const pk = (await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } })).pk;
      await t.prisma.backupRow.create({
        data: {
          instanceId: inst.id,
          number: 50,
          backupId: `${inst.id}-${Date.now()}`,
          status: 'failed',
          encryptionKeyId: (await t.prisma.backup.findUniqueOrThrow({ where: { pk } }))
            .encryptionKeyId,
        },
      });
      const res = await t.http
        .post(`/admin/v1/instances/${inst.id}/backups/50/verify`)
        .set(ADMIN)
        .expect(409);
      expect(res.body.description).toMatch(/is failed: only a done backup can be verified/);
    });
  });

  describe('PostgreSQL, continuous archiving', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgresServer();
      await pg.query('CREATE DATABASE shop');
      await pg.query(
        "CREATE TABLE orders AS SELECT i AS id, 'order ' || i AS name FROM generate_series(1, 3000) i",
        'shop',
      );
    });
    afterAll(() => pg?.destroy());

    it('a base backup: its own server started in scratch, the instance database counted there', async () => {
      const inst = await registerInstance(t, {
        connection_url: pg.url('shop'),
        backup_type: 'continuous_archiving',
      });
      await backUp(inst, 1);
      pg.stop();
      const v = await verify(inst, 1);
      expect(v).toMatchObject({ status: 'verified', tables: 1, rows: 3000 });
    });
  });

  describe('MariaDB', () => {
    const db = testDatabaseName('ver');
    beforeAll(() => {
      mariadb(`CREATE DATABASE ${db}`);
      mariadb(
        `CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4, data BLOB) ENGINE=InnoDB;
         CREATE TABLE tags (id INT PRIMARY KEY, note TEXT) ENGINE=InnoDB;
         INSERT INTO items SELECT seq, CONCAT('item (', seq, '), it''s ✓'), UNHEX(MD5(seq)) FROM seq_1_to_2000;
         INSERT INTO tags SELECT seq, CONCAT('a \\\\ b ''(', seq, ')') FROM seq_1_to_100;`,
        db,
      );
    });
    afterAll(() => mariadb(`DROP DATABASE IF EXISTS ${db}`));

    it('verified, with each table counted in the dump and in the scratch server', async () => {
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://root@127.0.0.1:3306/${db}`,
      });
      await backUp(inst, 1);
      const v = await verify(inst, 1);
      expect(v).toMatchObject({ status: 'verified', tables: 2, rows: 2100 });
      const backup = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: inst.id },
        include: { contents: true },
      });
      expect(backup.contents?.tables).toEqual([
        { table: 'items', rows: 2000 },
        { table: 'tags', rows: 100 },
      ]);
    });
  });

  describe('Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
      const c = new IORedis({ port: redis.port });
      for (const [db, n] of [
        [0, 300],
        [3, 40],
      ]) {
        await c.select(db);
        await c.mset(...Array.from({ length: n }, (_, i) => [`key:${i}`, `value ${i}`]).flat());
      }
      c.disconnect();
    });
    afterAll(() => redis?.stop());

    it('verified, with the keys of each logical database the snapshot held', async () => {
      const inst = await registerInstance(t, {
        type: 'redis',
        connection_url: `redis://127.0.0.1:${redis.port}`,
      });
      await backUp(inst, 1);
      const v = await verify(inst, 1);
      expect(v).toMatchObject({ status: 'verified', tables: 2, rows: 340 });
    });
  });

  describe('the daily schedule', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
      const c = new IORedis({ port: redis.port });
      await c.set('only', 'key');
      c.disconnect();
    });
    afterAll(() => redis?.stop());

    it("verifies each instance's newest done backup that was never verified, once", async () => {
      const inst = await registerInstance(t, { type: 'redis', connection_url: redis.url });
      await backUp(inst, 1);
      await backUp(inst, 2);
      const planned = await worker.worker.get(VerificationScheduleService).planPeriod();
      // the other instances' newest backups were verified above
      expect(planned).toBe(1);
      const v = await waitFor(
        async () => {
          const res = await t.http.get(`/admin/v1/instances/${inst.id}/backups/2`).set(ADMIN);
          const found = res.body.verification as Record<string, unknown> | undefined;
          return found && found.status !== 'running' ? found : null;
        },
        180000,
        'the scheduled verification',
      );
      expect(v).toMatchObject({ status: 'verified', tables: 1, rows: 1 });
      const older = await t.http.get(`/admin/v1/instances/${inst.id}/backups/1`).set(ADMIN);
      expect(older.body.verification).toBeUndefined();
      expect(await worker.worker.get(VerificationScheduleService).planPeriod()).toBe(0);
    });
  });
});
