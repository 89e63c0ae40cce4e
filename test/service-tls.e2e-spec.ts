import { Client } from 'pg';
import {
  databaseUrl,
  migrateDatabase,
  testDatabaseName,
  withAdminClient,
} from './support/databases';
import { dropDatabases, psql } from './support/postgres-fixtures';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RedisServer } from './support/servers';
import { registerInstance, startTestApp } from './support/test-app';
import { startTestWorker, waitForBackup } from './support/test-worker';
import { TestCertificates, makeCertificates, startTlsRedisServer } from './support/tls';

/**
 * The service's own PostgreSQL and Redis over TLS only, verified against a CA the test makes:
 * the API and the worker run a backup through them; a URL that trusts another CA is refused
 * with a reason that names the certificate.
 */
describe("the service's own database and Redis over TLS", () => {
  let certs: TestCertificates;
  let pg: PostgresServer;
  let redis: RedisServer;
  let source: string;
  const serviceDb = (ca: string) =>
    `postgresql://postgres@127.0.0.1:${pg.port}/backup_manager?sslmode=verify-full&sslrootcert=${ca}`;
  const redisUrl = (ca: string) => `rediss://127.0.0.1:${redis.port}?cacert=${ca}`;

  beforeAll(async () => {
    certs = makeCertificates();
    pg = await startPostgresServer({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const admin = new Client({
      connectionString: pg.url(),
      ssl: { rejectUnauthorized: false },
    });
    await admin.connect();
    await admin.query('CREATE DATABASE backup_manager');
    await admin.end();
    // the migrations go through the same TLS settings
    migrateDatabase(serviceDb(certs.ca));
    redis = await startTlsRedisServer(certs);
    source = testDatabaseName('svc_tls');
    await withAdminClient((c) => c.query(`CREATE DATABASE ${source}`));
    psql(source, 'CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
  });
  afterAll(async () => {
    await redis?.stop();
    pg?.destroy();
    certs?.remove();
    await dropDatabases([source]);
  });

  it('the API and a worker take a backup through a verified database and Redis', async () => {
    const t = await startTestApp({
      DATABASE_URL: serviceDb(certs.ca),
      REDIS_URL: redisUrl(certs.ca),
    });
    const worker = await startTestWorker(t);
    try {
      const inst = await registerInstance(t, { connection_url: databaseUrl(source) });
      await t.http
        .post(`/v1/instances/${inst.id}/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(202);
      expect(await waitForBackup(t, inst.id, inst.token, 1)).toMatchObject({ status: 'done' });
      await t.http.get('/health/ready').expect(200);
    } finally {
      await worker.close();
      await t.close();
    }
  });

  it('a database certificate from another CA: readiness names the database and the certificate', async () => {
    // the API starts while its database is away (and answers 503 until it is back)
    const t = await startTestApp({
      DATABASE_URL: serviceDb(certs.otherCa),
      REDIS_URL: redisUrl(certs.ca),
    });
    try {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(JSON.stringify(res.body)).toMatch(/database.*certificate|certificate.*database/i);
    } finally {
      await t.close();
    }
  });

  it('a Redis certificate from another CA: readiness names Redis and the certificate', async () => {
    const t = await startTestApp({
      DATABASE_URL: serviceDb(certs.ca),
      REDIS_URL: redisUrl(certs.otherCa),
    });
    try {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(JSON.stringify(res.body)).toMatch(/redis/i);
      expect(t.logs.join('\n')).toMatch(/certificate/i);
    } finally {
      await t.close();
    }
  });
});
