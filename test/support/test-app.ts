import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/core/config/app-config';
import { JsonLogger, createRootLogger } from '../../src/core/logging/json-logger';
import { PrismaService } from '../../src/core/prisma/prisma.service';
import { recordContract } from './contract';
import { createTestDatabase } from './databases';
import { deleteQueueKeys } from './redis-keys';
import { TEST_SETTINGS } from './settings';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  config: AppConfig;
  prisma: PrismaService;
  adminToken: string;
  /** every log line the app wrote, as raw JSON text */
  logs: string[];
  databaseUrl: string;
  /** responses so far that docs/openapi.json does not describe; close() fails when any */
  contractViolations: string[];
  close(): Promise<void>;
}

/**
 * The real HTTP app (built as main.ts builds it) on a database of its own: a clone of the
 * migrated template, or the one `env.DATABASE_URL` names (already migrated, left in place).
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = env.DATABASE_URL
    ? { url: env.DATABASE_URL, drop: () => Promise.resolve() }
    : await createTestDatabase();
  const storagePath = mkdtempSync(join(tmpdir(), 'bm-storage-'));
  const adminToken = `admin-${randomBytes(16).toString('hex')}`;
  const config = AppConfig.fromEnvironment({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    ADMIN_TOKEN: adminToken,
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'trace',
    REDIS_URL: TEST_SETTINGS.redisUrl,
    QUEUE_PREFIX: `bm-test-${randomBytes(4).toString('hex')}`,
    STORAGE_PATH: storagePath,
    // the suite sends wrong credentials hundreds of times from one address; test/auth-throttle
    // holds the real limit
    AUTH_FAILURES_PER_MINUTE: '1000000',
    // the suite's webhook receivers listen on loopback; test/webhooks holds the default
    WEBHOOK_ALLOWED_HOSTS: 'loopback',
    ...env,
  });
  const logs: string[] = [];
  const app = await createApp(config, capturingLogger(logs));
  await app.init();
  const contractViolations = recordContract(app.getHttpServer());
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    prisma: app.get(PrismaService),
    adminToken,
    logs,
    databaseUrl: db.url,
    contractViolations,
    async close() {
      await app.close();
      await db.drop();
      await deleteQueueKeys(config.redisUrl, config.queuePrefix);
      rmSync(storagePath, { recursive: true, force: true });
      if (contractViolations.length > 0) {
        throw new Error(
          `responses that docs/openapi.json does not describe:\n  ${contractViolations.join('\n  ')}`,
        );
      }
    },
  };
}

/** A JSON logger whose lines land in `logs`, so tests can check what was (not) logged. */
export function capturingLogger(logs: string[]): JsonLogger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return new JsonLogger(createRootLogger('trace', sink));
}

/** Registers an instance and mints a token for it through the admin API. */
export async function registerInstance(
  t: TestApp,
  body: Partial<{
    id: string;
    name: string;
    type: string;
    connection_url: string;
    backup_type: string;
  }> = {},
): Promise<{ id: string; token: string }> {
  const res = await t.http
    .post('/admin/v1/instances')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({
      name: 'test instance',
      type: 'postgresql',
      connection_url: 'postgresql://app:s3cret-pw@127.0.0.1:5432/test',
      ...body,
    })
    .expect(201);
  const id = (res.body as { id: string }).id;
  const token = await mintToken(t, [id]);
  return { id, token };
}

/**
 * Registers a continuous-archiving PostgreSQL instance for the database at `connectionUrl`, with
 * an encryption key of its own (so that its archives open with a known passphrase).
 */
export async function registerArchivedInstance(
  t: TestApp,
  connectionUrl: string,
  encryptionKey: string,
): Promise<{ id: string; token: string }> {
  const inst = await registerInstance(t, {
    connection_url: connectionUrl,
    backup_type: 'continuous_archiving',
  });
  await t.http
    .patch(`/v1/instances/${inst.id}/backups-config`)
    .set('Authorization', `Bearer ${inst.token}`)
    .send({ encryption_key: encryptionKey })
    .expect(200);
  return inst;
}

export async function mintToken(
  t: TestApp,
  instances: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await t.http
    .post('/admin/v1/tokens')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({ name: 'test token', instances, ...extra })
    .expect(201);
  return (res.body as { token: string }).token;
}

/** The environment that makes a separate API or worker process share `t`'s database, queue and storage. */
export function processEnvFor(
  t: TestApp,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: t.databaseUrl,
    REDIS_URL: t.config.redisUrl,
    QUEUE_PREFIX: t.config.queuePrefix,
    STORAGE_PATH: t.config.storagePath,
    MASTER_KEY: t.config.masterKey,
    BACKUP_MANAGER_PASSWORD: t.config.backupManagerPassword,
    ADMIN_TOKEN: t.config.adminToken,
    // several workers run side by side in a test: no fixed metrics port
    WORKER_METRICS_PORT: '0',
    WEBHOOK_ALLOWED_HOSTS: t.config.webhookAllowedHosts.setting,
    ...extra,
  };
}
