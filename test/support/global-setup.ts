import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { databaseUrl, templateDatabase, withAdminClient } from './databases';

/**
 * Migrates a template database once with the real `prisma migrate deploy`; every test file
 * then clones it, which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  // test files run in workers started after this, which inherit the environment
  const template = templateDatabase();
  process.env.BM_TEST_TEMPLATE_DATABASE = template;
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${template}`);
  });
  const result = spawnSync(
    process.execPath,
    [join(__dirname, '../../scripts/prisma.js'), 'migrate', 'deploy'],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl(template) },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
  }
}
