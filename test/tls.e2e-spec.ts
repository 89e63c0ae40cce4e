import { readFileSync } from 'node:fs';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { MariadbServer, startMariadbServer } from './support/mariadb-server';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, restoreAndWait, startTestWorker, waitForBackup } from './support/test-worker';
import { TestCertificates, makeCertificates, startTlsRedisServer } from './support/tls';

/**
 * Instances that accept TLS only, each behind a certificate signed by a CA the test makes: a
 * URL that names that CA backs up and restores; one that names another CA is refused with a
 * reason that says so, and so is one without TLS.
 */
describe('instances over TLS', () => {
  let t: TestApp;
  let worker: TestWorker;
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = makeCertificates();
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    certs?.remove();
  });

  type Inst = { id: string; token: string };
  const auth = (i: Inst) => ({ Authorization: `Bearer ${i.token}` });

  async function backUp(i: Inst, n = 1): Promise<Record<string, unknown>> {
    await t.http.post(`/v1/instances/${i.id}/backups`).set(auth(i)).expect(202);
    const backup = await waitForBackup(t, i.id, i.token, n);
    if (backup.status === 'failed') {
      const row = await t.prisma.backup.findFirstOrThrow({
        where: { instanceId: i.id, number: n },
      });
      return { ...backup, reason: row.failureReason };
    }
    return backup;
  }

  describe('PostgreSQL (hostssl only)', () => {
    let pg: PostgresServer;
    const url = (query: string) => `postgresql://postgres@127.0.0.1:${pg.port}/postgres?${query}`;
    const count = async () => {
      const c = new Client({ connectionString: url(''), ssl: { ca: readFileSync(certs.ca) } });
      await c.connect();
      const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM t');
      await c.end();
      return Number(rows[0].n);
    };
    beforeAll(async () => {
      pg = await startPostgresServer({ tls: { cert: certs.serverCert, key: certs.serverKey } });
      const c = new Client({ connectionString: url(''), ssl: { ca: readFileSync(certs.ca) } });
      await c.connect();
      await c.query('CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 500)');
      await c.end();
    });
    afterAll(() => pg?.destroy());

    it('sslmode=verify-full with the right CA: a backup and a restore', async () => {
      const inst = await registerInstance(t, {
        connection_url: url(`sslmode=verify-full&sslrootcert=${certs.ca}`),
      });
      expect(await backUp(inst)).toMatchObject({ status: 'done' });
      const c = new Client({ connectionString: url(''), ssl: { ca: readFileSync(certs.ca) } });
      await c.connect();
      await c.query('DELETE FROM t WHERE x > 100');
      await c.end();
      expect(await restoreAndWait(t, inst, 1)).toMatchObject({ status: 'done' });
      expect(await count()).toBe(500);
    });

    it('a CA that did not sign the server: refused, naming the certificate; no TLS: refused', async () => {
      const wrong = await registerInstance(t, {
        connection_url: url(`sslmode=verify-full&sslrootcert=${certs.otherCa}`),
      });
      const failed = await backUp(wrong);
      expect(failed.status).toBe('failed');
      expect(failed.reason).toMatch(/certificate/i);
      const plain = await registerInstance(t, { connection_url: url('sslmode=disable') });
      const refused = await backUp(plain);
      expect(refused.status).toBe('failed');
      expect(refused.reason).toMatch(/no encryption|pg_hba/);
    });
  });

  describe('Redis (TLS port only)', () => {
    let server: RedisServer;
    beforeAll(async () => {
      server = await startTlsRedisServer(certs);
    });
    afterAll(() => server?.stop());

    const client = () =>
      new IORedis({ host: '127.0.0.1', port: server.port, tls: { ca: readFileSync(certs.ca) } });

    it('rediss:// with cacert: a backup and a restore; another CA is refused', async () => {
      const redis = client();
      try {
        await redis.mset('a', '1', 'b', '2');
        const inst = await registerInstance(t, {
          type: 'redis',
          connection_url: `rediss://127.0.0.1:${server.port}?cacert=${certs.ca}`,
        });
        expect(await backUp(inst)).toMatchObject({ status: 'done' });
        await redis.set('a', 'changed');
        await redis.set('c', 'made since');
        expect(await restoreAndWait(t, inst, 1)).toMatchObject({ status: 'done' });
        expect(await redis.mget('a', 'b', 'c')).toEqual(['1', '2', null]);

        const wrong = await registerInstance(t, {
          type: 'redis',
          connection_url: `rediss://127.0.0.1:${server.port}?cacert=${certs.otherCa}`,
        });
        const failed = await backUp(wrong);
        expect(failed.status).toBe('failed');
        expect(failed.reason).toMatch(/certificate/i);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('MariaDB (require_secure_transport)', () => {
    let maria: MariadbServer;
    beforeAll(async () => {
      maria = await startMariadbServer({
        tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
      });
      maria.sql(
        `DROP USER IF EXISTS ''@'localhost'; CREATE DATABASE app; CREATE USER 'bm'@'%' IDENTIFIED BY 'tls-pw'; GRANT ALL ON app.* TO 'bm'@'%';`,
      );
      maria.sql('CREATE TABLE t (x INT); INSERT INTO t SELECT seq FROM seq_1_to_500;', 'app');
    });
    afterAll(() => maria?.stop());

    const url = (query: string) => `mariadb://bm:tls-pw@127.0.0.1:${maria.port}/app?${query}`;

    it('ssl-ca with ssl-verify-server-cert: a backup and a restore; another CA is refused', async () => {
      const inst = await registerInstance(t, {
        type: 'mariadb',
        connection_url: url(`ssl-ca=${certs.ca}&ssl-verify-server-cert=true`),
      });
      expect(await backUp(inst)).toMatchObject({ status: 'done' });
      maria.sql('DELETE FROM t WHERE x > 100', 'app');
      expect(await restoreAndWait(t, inst, 1)).toMatchObject({ status: 'done' });
      expect(maria.sql('SELECT count(*) FROM t', 'app')).toBe('500');

      const wrong = await registerInstance(t, {
        type: 'mariadb',
        connection_url: url(`ssl-ca=${certs.otherCa}&ssl-verify-server-cert=true`),
      });
      const failed = await backUp(wrong);
      expect(failed.status).toBe('failed');
      expect(failed.reason).toMatch(/certificate|SSL|TLS/i);
      expect(failed.reason).not.toContain('tls-pw');

      const plain = await registerInstance(t, {
        type: 'mariadb',
        connection_url: url('ssl=false'),
      });
      const refused = await backUp(plain);
      expect(refused.status).toBe('failed');
      // MariaDB refuses a plain connection under require_secure_transport as a denied login
      expect(refused.reason).toMatch(/secure transport|insecure|Access denied/i);
    });
  });
});
