import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_SETTINGS } from './settings';

/** The server the tests use; each test file gets a database of its own on it. */
export const TEST_PG_ROOT = TEST_SETTINGS.databaseRootUrl;
/**
 * The migrated database every test file clones. Each run has its own (global setup names it),
 * so that two test runs on one server do not drop each other's template.
 */
export const templateDatabase = () =>
  process.env.BM_TEST_TEMPLATE_DATABASE ??
  `${TEST_SETTINGS.databasePrefix}_template_${process.pid}`;

export const databaseUrl = (name: string) => `${TEST_PG_ROOT}/${name}`;

export async function withAdminClient<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A name for a database a test makes itself (an instance's, a fork's target), under the suite's
 * prefix (TEST_DATABASE_PREFIX) so that two suites on one server never meet.
 */
export const testDatabaseName = (kind: string) =>
  `${TEST_SETTINGS.databasePrefix}_${kind}_${randomBytes(4).toString('hex')}`;

/** A fresh, migrated database cloned from the template that global setup prepared. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${TEST_SETTINGS.databasePrefix}_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`));
  return {
    url: databaseUrl(name),
    drop: () =>
      withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** Applies the migrations to an existing database with the real `prisma migrate deploy`. */
export function migrateDatabase(url: string): void {
  const result = spawnSync(
    process.execPath,
    [join(__dirname, '../../scripts/prisma.js'), 'migrate', 'deploy'],
    { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
  }
}
