import { templateDatabase, withAdminClient } from './databases';

/** Drops this run's template database. */
export default async function globalTeardown(): Promise<void> {
  await withAdminClient((c) =>
    c.query(`DROP DATABASE IF EXISTS ${templateDatabase()} WITH (FORCE)`),
  );
}
