import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptArchive } from './support/archives';
import { databaseUrl, testDatabaseName, withAdminClient } from './support/databases';
import { mariadb } from './support/mariadb';
import { dropDatabases, psql } from './support/postgres-fixtures';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, restoreAndWait, startTestWorker, waitForBackup } from './support/test-worker';

const KEY = 'hostile-archive-key';

const encrypt = (content: Buffer) => encryptArchive(content, KEY);

/**
 * What storage hands back is not trusted: an archive replaced there (or a dump written by a
 * hostile server) whose SQL asks the restore tool to run a shell command gets the restore
 * refused, and the command never runs on the worker.
 */
describe('restores of hostile archives', () => {
  let t: TestApp;
  let worker: TestWorker;
  let dir: string;
  const databases: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
    dir = mkdtempSync(join(tmpdir(), 'bm-hostile-'));
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases(databases);
    rmSync(dir, { recursive: true, force: true });
  });

  type Inst = { id: string; token: string };
  const auth = (i: Inst) => ({ Authorization: `Bearer ${i.token}` });

  async function backUpWithKey(i: Inst): Promise<{ file: string; size: number }> {
    await t.http
      .patch(`/v1/instances/${i.id}/backups-config`)
      .set(auth(i))
      .send({ encryption_key: KEY })
      .expect(200);
    await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
    expect(await waitForBackup(t, i.id, i.token, 1)).toMatchObject({ status: 'done' });
    const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: i.id, number: 1 } });
    return { file: join(t.config.storagePath, row.storageKey!), size: Number(row.size) };
  }

  /** Replaces the archive and makes the record agree with it (size and SHA-256). */
  async function replaceWhole(i: Inst, file: string, archive: Buffer): Promise<void> {
    writeFileSync(file, archive);
    await t.prisma.backupRow.updateMany({
      where: { instanceId: i.id, number: 1 },
      data: { size: archive.length, sha256: createHash('sha256').update(archive).digest('hex') },
    });
  }

  describe('PostgreSQL', () => {
    let db: string;
    let inst: Inst;
    let file: string;
    let size: number;
    beforeAll(async () => {
      db = testDatabaseName('hostile');
      databases.push(db);
      await withAdminClient((c) => c.query(`CREATE DATABASE ${db}`));
      // an archive of some MiB: restores stream it in pieces, so the first lines reach psql
      // long before the last byte (and its checksum) does
      psql(
        db,
        `CREATE TABLE t (x int, y text);
         INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 100000) i`,
      );
      inst = await registerInstance(t, { connection_url: databaseUrl(db) });
      ({ file, size } = await backUpWithKey(inst));
    });

    it('an archive replaced in storage, padded to the recorded size, whose SQL starts with \\! → failed, and nothing ran', async () => {
      const marker = join(dir, 'pg-replaced');
      // the archive is longer than the recorded size and cut there, so the restore streams the
      // command to psql before it can know the checksum is wrong; 24 MB of comments (they
      // compress to little) keep the stream going until psql has read the first line
      const sql = Buffer.from(
        `\\! touch ${marker}\nSELECT 1;\n${'-- padding\n'.repeat(2_000_000)}-- ${randomBytes(size).toString('base64')}\n`,
      );
      const archive = await encrypt(sql);
      expect(archive.length).toBeGreaterThan(size);
      const original = readFileSync(file);
      writeFileSync(file, archive.subarray(0, size));
      try {
        const result = await restoreAndWait(t, inst, 1);
        expect(result.status).toBe('failed');
        expect(existsSync(marker)).toBe(false);
        expect(psql(db, 'SELECT count(*) FROM t')).toBe('100000');
      } finally {
        writeFileSync(file, original);
      }
    });

    it('a dump whose checksum matches (a hostile server wrote it) is refused at its first meta-command', async () => {
      const marker = join(dir, 'pg-matching');
      const original = readFileSync(file);
      const row = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: inst.id, number: 1 },
      });
      // what pg_dump of a hostile server could write: its own \restrict and \unrestrict
      // (which would lift it), then a command
      await replaceWhole(
        inst,
        file,
        await encrypt(
          Buffer.from(
            `\\restrict abc\nSELECT 1;\n\\unrestrict abc\n\\! touch ${marker}\nCREATE TABLE evil (x int);\n`,
          ),
        ),
      );
      try {
        const result = await restoreAndWait(t, inst, 1);
        expect(result.status).toBe('failed');
        expect(result.failure_reason).toMatch(/backslash commands are restricted/);
        expect(existsSync(marker)).toBe(false);
        expect(psql(db, `SELECT to_regclass('public.evil') IS NULL`)).toBe('t');
        expect(psql(db, 'SELECT count(*) FROM t')).toBe('100000');
      } finally {
        writeFileSync(file, original);
        await t.prisma.backupRow.updateMany({
          where: { instanceId: inst.id, number: 1 },
          data: { size: row.size, sha256: row.sha256 },
        });
      }
      // the real backup still restores: its own \restrict lines are taken care of
      expect(await restoreAndWait(t, inst, 1)).toMatchObject({ status: 'done' });
      expect(statSync(file).size).toBe(size);
    });
  });

  it('MariaDB: a dump whose checksum matches and that says `system touch` → failed, and nothing ran', async () => {
    const db = testDatabaseName('hostile');
    mariadb(`CREATE DATABASE ${db}`);
    try {
      mariadb(`CREATE TABLE t (x INT); INSERT INTO t SELECT seq FROM seq_1_to_100;`, db);
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: `mariadb://root@127.0.0.1:3306/${db}`,
      });
      const { file } = await backUpWithKey(inst);
      const marker = join(dir, 'mariadb-matching');
      // the client's shell escape in both spellings; --binary-mode already leaves client
      // commands unparsed, --sandbox would refuse them
      await replaceWhole(
        inst,
        file,
        await encrypt(
          Buffer.from(
            `system touch ${marker}-long;\n\\! touch ${marker}-short\nCREATE TABLE evil (x INT);\n`,
          ),
        ),
      );
      const result = await restoreAndWait(t, inst, 1);
      expect(result.status).toBe('failed');
      expect(result.failure_reason).toMatch(/mariadb exited with code 1/);
      expect(existsSync(`${marker}-long`)).toBe(false);
      expect(existsSync(`${marker}-short`)).toBe(false);
      expect(mariadb(`SHOW TABLES LIKE 'evil'`, db)).toBe('');
    } finally {
      mariadb(`DROP DATABASE IF EXISTS ${db}`);
    }
  });
});
