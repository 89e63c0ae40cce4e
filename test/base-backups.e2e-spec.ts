import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { decryptWithOpenssl } from './support/archives';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { TestApp, startTestApp, registerArchivedInstance } from './support/test-app';
import { TestWorker, restoreAndWait, startTestWorker, waitForBackup } from './support/test-worker';

const KEY = 'base-backup-key';

/**
 * A PostgreSQL instance with continuous archiving is backed up with base backups: a tar of the
 * cluster that opens with the documented commands, starts a server by hand, and restores.
 */
describe('base backups of continuous-archiving PostgreSQL instances', () => {
  let t: TestApp;
  let worker: TestWorker;
  let pg: PostgresServer;
  let work: string;
  const sql = async (query: string) => {
    const c = new Client({ connectionString: pg.url('shop') });
    await c.connect();
    try {
      return (await c.query(query)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bm-base-backup-test-'));
    pg = await startPostgresServer();
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    await sql(
      "CREATE TABLE orders AS SELECT i AS id, 'order ' || i || ' ✓' AS name FROM generate_series(1, 3000) i",
    );
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    pg?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('takes a base backup that opens, starts a server by hand, and restores', async () => {
    const inst = await registerArchivedInstance(t, pg.url('shop'), KEY);
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    expect(await waitForBackup(t, inst.id, inst.token, 1)).toMatchObject({
      status: 'done',
      downloadable: true,
    });

    // downloaded and opened with the documented commands: a tar of the cluster
    const download = await t.http
      .get(`/v1/instances/${inst.id}/backups/1/download`)
      .set(auth)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    writeFileSync(join(work, 'backup.tgz'), download.body as Buffer);
    const tarFile = decryptWithOpenssl(join(work, 'backup.tgz'), KEY, work);
    const listing = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).split('\n');
    expect(listing).toEqual(
      expect.arrayContaining(['backup_label', 'PG_VERSION', 'global/pg_control']),
    );
    expect(listing.some((f) => /^pg_wal\/[0-9A-F]{24}$/.test(f))).toBe(true);

    // by hand, as docs/using.md says: unpack, start postgres on it, read the data
    const data = join(work, 'data');
    mkdirSync(data, { mode: 0o700 });
    execFileSync('tar', ['-xf', tarFile, '-C', data]);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      execFileSync('chown', ['-R', `${uid}:${gid}`, work]);
      chownSync(work, uid, gid);
    }
    const major = execFileSync('cat', [join(data, 'PG_VERSION')], { encoding: 'utf8' }).trim();
    const pgCtl = `/usr/lib/postgresql/${major}/bin/pg_ctl`;
    const opts = `-c listen_addresses='' -c unix_socket_directories=${work} -c port=5432 -c config_file=/dev/null -c hba_file=${join(data, 'pg_hba.conf')}`;
    const run = (args: string[]) =>
      execFileSync(
        asRoot ? 'runuser' : args[0],
        asRoot ? ['-u', 'postgres', '--', ...args] : args.slice(1),
        {
          encoding: 'utf8',
        },
      );
    run([pgCtl, '-D', data, '-w', '-t', '120', '-l', join(work, 'log'), '-o', opts, 'start']);
    try {
      const c = new Client({ host: work, port: 5432, user: 'postgres', database: 'shop' });
      await c.connect();
      const rows = await c.query('SELECT count(*)::int AS n FROM orders');
      await c.end();
      expect(rows.rows[0].n).toBe(3000);
    } finally {
      run([pgCtl, '-D', data, '-w', '-m', 'immediate', 'stop']);
    }

    // the restore: the instance ends up as the backup
    await sql('DELETE FROM orders WHERE id > 10; CREATE TABLE made_since (id int)');
    const restore = await restoreAndWait(t, inst, 1);
    expect(restore).toMatchObject({ status: 'done' });
    expect(await sql('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 3000 }]);
    expect(await sql("SELECT to_regclass('made_since') IS NULL AS gone")).toEqual([{ gone: true }]);

    // one flipped byte in storage: failed, naming the checksum; nothing unpacked is ever started
    const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
    const file = join(t.config.storagePath, row.storageKey!);
    const original = readFileSync(file);
    const damaged = Buffer.from(original);
    damaged[Math.floor(damaged.length / 2)] ^= 0x01;
    writeFileSync(file, damaged);
    await sql('DELETE FROM orders WHERE id > 100');
    const failed = await restoreAndWait(t, inst, 1);
    expect(failed).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringMatching(/SHA-256/),
    });
    expect(await sql('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 100 }]);
  });
});
