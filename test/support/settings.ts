import { DEFAULT_REDIS_URL } from '../../src/core/config/defaults';

/**
 * The test suite's settings, from the environment, each with its local default; the list is in
 * docs/development.md ("Test settings"). The suite's own servers (the fault tests' PostgreSQL
 * and Redis, MinIO-like S3) start on free ports of loopback and need no setting.
 */
export const TEST_SETTINGS = {
  /** the PostgreSQL server the tests make their databases on (a superuser's URL, no database) */
  databaseRootUrl: process.env.TEST_DATABASE_ROOT_URL ?? 'postgresql://postgres@127.0.0.1:5432',
  /** how the names of those databases begin: two suites on one server keep apart by it */
  databasePrefix: checkedPrefix(process.env.TEST_DATABASE_PREFIX ?? 'bm_test'),
  /** the Redis the tests' APIs and workers queue on (each test under a queue prefix of its own) */
  redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
  /** the browser the dashboard's tests drive */
  chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
};

function checkedPrefix(prefix: string): string {
  if (!/^[a-z_][a-z0-9_]{0,29}$/.test(prefix)) {
    throw new Error(
      `TEST_DATABASE_PREFIX must be lower-case letters, digits and _ (at most 30): ${prefix}`,
    );
  }
  return prefix;
}
