import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { databaseUrl, testDatabaseName, withAdminClient } from './databases';

export const psql = (db: string, sql: string) =>
  execFileSync(
    'psql',
    ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl(db), '-c', sql],
    {
      encoding: 'utf8',
    },
  ).trim();

/** A fingerprint of everything a user would call the content of a database made by createSourceDatabase. */
export const fingerprint = (db: string) =>
  psql(
    db,
    `SELECT (SELECT count(*) FROM customers) || ':' || (SELECT md5(string_agg(id || name || coalesce(note, '~') || encode(photo, 'hex'), ',' ORDER BY id)) FROM customers)
      || ':' || (SELECT md5(string_agg(customer_id || ':' || amount::text, ',' ORDER BY id)) FROM orders)`,
  );

/** A database with known content: unicode, quotes, NULLs, bytea, a foreign key. */
export async function createSourceDatabase(): Promise<string> {
  const name = testDatabaseName('src');
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  psql(
    name,
    `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, note text, photo bytea NOT NULL);
     CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), amount numeric(10,2));
     INSERT INTO customers SELECT i, 'customer ' || i || ' ✓ Ünïcødé', CASE WHEN i % 3 = 0 THEN NULL ELSE 'it''s "quoted"' END,
       decode(md5(i::text), 'hex') FROM generate_series(1, 2000) i;
     INSERT INTO orders (customer_id, amount) SELECT (i % 2000) + 1, i * 1.25 FROM generate_series(1, 5000) i;`,
  );
  return name;
}

/** Restores a plain pg_dump file into a new database and returns its name. */
export async function restoreIntoNewDatabase(dumpFile: string): Promise<string> {
  const name = testDatabaseName('dst');
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  execFileSync(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl(name), '-f', dumpFile],
    { stdio: 'pipe' },
  );
  return name;
}

export async function dropDatabases(names: string[]): Promise<void> {
  await withAdminClient(async (c) => {
    for (const db of names) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  });
}

/**
 * Holds an exclusive lock on a table of a source database, so that a backup of it waits in the
 * middle of its dump until `release` is called: the test decides when the backup may finish.
 */
export async function holdTableLock(
  db: string,
  table: string,
): Promise<{ release: () => Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl(db) });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
