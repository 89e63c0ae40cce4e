import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEMPLATE_DATABASE, databaseUrl, withAdminClient } from './databases';

/**
 * Migrates a template database once with the real `prisma migrate deploy`; every test file
 * then clones it, which takes milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  });
  const result = spawnSync(
    process.execPath,
    [join(__dirname, '../../scripts/prisma.js'), 'migrate', 'deploy'],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DATABASE) },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
  }
}
