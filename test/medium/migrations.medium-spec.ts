import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { pgPoolConfig } from '../../src/core/connections/postgres-connection';
import { MigrationAdapter } from '../../src/core/prisma/migration-adapter';
import { createTestDatabase } from '../support/databases';

const MIGRATIONS = join(__dirname, '..', '..', 'prisma', 'migrations');

/** A migration with a PL/pgSQL body, written as PostgreSQL is written. */
const PLPGSQL_MIGRATION = `
CREATE TABLE "medium_notes" ("id" serial PRIMARY KEY, "body" text NOT NULL, "words" int);
-- a comment with a lone ' quote; and a semicolon
CREATE FUNCTION "medium_count_words"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n int := 0;
BEGIN
  n := coalesce(array_length(regexp_split_to_array(trim(NEW.body), '\\s+'), 1), 0);
  IF NEW.body = '' THEN n := 0; END IF;
  NEW.words := n;
  RETURN NEW;
END
$$;
CREATE TRIGGER "medium_notes_words" BEFORE INSERT ON "medium_notes"
  FOR EACH ROW EXECUTE FUNCTION "medium_count_words"();
`;

/**
 * Migrations are applied by the Prisma CLI through MigrationAdapter.executeScript: each file
 * reaches PostgreSQL as one script, so a dollar-quoted body keeps its semicolons, and a
 * migration applies whole or not at all.
 */
describe('migrations', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: Client;
  let executeScript: (script: string) => Promise<void>;
  let disconnect: () => Promise<void>;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    const adapter = await new MigrationAdapter(pgPoolConfig(db.url)).connect();
    executeScript = (s) => adapter.executeScript(s);
    disconnect = () => adapter.dispose();
  });
  afterAll(async () => {
    await client?.end();
    await disconnect?.();
    await db?.drop();
  });

  it('a migration with a PL/pgSQL body applies, and its function runs', async () => {
    await executeScript(PLPGSQL_MIGRATION);
    const { rows } = await client.query<{ words: number }>(
      `INSERT INTO medium_notes (body) VALUES ('one two; three') RETURNING words`,
    );
    expect(rows[0].words).toBe(3);
  });

  it('a migration that fails part-way leaves nothing of itself behind', async () => {
    await expect(
      executeScript(`
        CREATE TABLE "medium_half" ("id" int);
        CREATE FUNCTION "medium_half_fn"() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
        SELECT no_such_function();`),
    ).rejects.toThrow();
    const { rows } = await client.query(
      `SELECT to_regclass('medium_half') AS t, to_regproc('medium_half_fn') AS f`,
    );
    expect(rows[0]).toEqual({ t: null, f: null });
  });

  it('no migration after backup_json_head escapes its semicolons as \\073', () => {
    const later = readdirSync(MIGRATIONS)
      .filter((d) => /^\d{14}_/.test(d) && d > '20261130092822_backup_json_head')
      .sort();
    expect(later.length).toBeGreaterThan(0);
    for (const dir of later) {
      expect([
        dir,
        readFileSync(join(MIGRATIONS, dir, 'migration.sql'), 'utf8').includes('\\073'),
      ]).toEqual([dir, false]);
    }
  });
});
