import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { databaseUrl, migrateDatabase, templateDatabase, withAdminClient } from './databases';

/**
 * Migrates a template database once with the real `prisma migrate deploy`; every test file
 * then clones it, which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  // test files run in workers started after this, which inherit the environment
  const template = templateDatabase();
  // the medium and e2e tiers share it: one run migrates it once
  if (process.env.BM_TEST_TEMPLATE_READY === template) return;
  process.env.BM_TEST_TEMPLATE_DATABASE = template;
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${template}`);
  });
  migrateDatabase(databaseUrl(template));
  // the dashboard the API serves at /ui, as `npm run build` builds it (under a second)
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-web.js')]);
  process.env.BM_TEST_TEMPLATE_READY = template;
}
