import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { GENERATED, planDefinitions } from '../../src/database/catalog';
import { databaseDefinitions } from '../../src/database/definitions';
import { FUNCTIONS } from '../../src/database/functions';
import { createTestDatabase, databaseUrl } from '../support/databases';

const ROOT = join(__dirname, '..', '..');
const SCHEMA = join(ROOT, 'prisma', 'schema.prisma');

/**
 * The database's functions, triggers and views are defined once, in src/database/, and the
 * migrations are generated from them: a definition changed without its migration, or a view
 * that no longer shows a column of its table, fails here.
 */
describe('the database as src/database defines it', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: Client;
  const schema = readFileSync(SCHEMA, 'utf8');

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const columnsOf = async (relation: string) =>
    (
      await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
        [relation],
      )
    ).rows.map((r) => r.column_name);

  it('is what the migrations make: no definition changed without its migration', async () => {
    const plan = await planDefinitions(client, databaseDefinitions(schema));
    const differences = [...plan.changed.map((d) => `${d.kind} ${d.name}`), ...plan.removed];
    // a difference here: run `npm run db:migration -- <name>` and commit what it writes
    expect(differences).toEqual([]);
  });

  it('tells a definition changed without its migration', async () => {
    const edited = databaseDefinitions(schema).map((d) =>
      d.name === 'api_time(timestamp with time zone)'
        ? { ...d, sql: d.sql.replace('HH24:MI:SS.MS', 'HH24:MI:SS') }
        : d,
    );
    const plan = await planDefinitions(client, edited);
    expect(plan.changed.map((d) => d.name)).toEqual(['api_time(timestamp with time zone)']);
    // and one the source no longer has is named as removed
    const without = edited.filter((d) => d.name !== 'wal_gaps_notify()');
    const after = await planDefinitions(
      client,
      without.filter((d) => d.name !== 'wal_gaps_notify on wal_gaps'),
    );
    expect(after.removed.sort()).toEqual([
      'function wal_gaps_notify()',
      'trigger wal_gaps_notify on wal_gaps',
    ]);
    // nothing of it stayed: the plan runs in a transaction it rolls back
    expect((await planDefinitions(client, databaseDefinitions(schema))).changed).toEqual([]);
  });

  it('keeps one definition of each function', () => {
    const names = databaseDefinitions(schema).map((d) => `${d.kind} ${d.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(FUNCTIONS.length).toBeGreaterThan(0);
  });

  it('shows every column of backup_rows in the view backups, in the table order', async () => {
    const table = await columnsOf('backup_rows');
    const view = await columnsOf('backups');
    expect(table.length).toBeGreaterThan(15);
    expect(view).toEqual([...table, 'recorded_status']);
  });

  it('adds a column added to BackupRow to the view, with `npm run db:migration`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-migration-'));
    try {
      // what a developer does: a field in the table's model, and the same in the view's
      const edited = join(dir, 'schema.prisma');
      writeFileSync(
        edited,
        schema
          .replace(
            /(\nmodel BackupRow \{\n[\s\S]*?)(\n\n {2}@@)/,
            '$1\n  note String? @map("operator_note")$2',
          )
          .replace(
            /(\nview Backup \{\n[\s\S]*?)(\n\n {2}instance )/,
            '$1\n  note String? @map("operator_note")$2',
          ),
      );
      const out = join(dir, 'migrations');
      const run = spawnSync(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'),
          '--transpile-only',
          join(ROOT, 'scripts', 'new-migration.ts'),
          'operator_note',
          '--schema',
          edited,
          '--from',
          SCHEMA,
          '--out',
          out,
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: databaseUrl('postgres') },
        },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const [folder] = readdirSync(out);
      expect(folder).toMatch(/^\d{14}_operator_note$/);
      const migration = readFileSync(join(out, folder, 'migration.sql'), 'utf8');
      expect(migration.startsWith(GENERATED)).toBe(true);
      expect(migration).toContain('ADD COLUMN     "operator_note" TEXT');

      // it applies to a database the migrations so far made, and the view shows the column
      await client.query(migration);
      expect(await columnsOf('backups')).toContain('operator_note');
      const key = '00000000-0000-4000-8000-000000000001';
      await client.query(
        `INSERT INTO instances (id, name, type, credentials) VALUES ('note-1', 'n', 'postgresql', '\\x00')`,
      );
      await client.query(
        `INSERT INTO encryption_keys (id, instance_id, origin, sealed) VALUES ($1, 'note-1', 'platform', '\\x00')`,
        [key],
      );
      const { rows } = await client.query<{ pk: string }>(
        `INSERT INTO backup_rows (instance_id, number, backup_id, encryption_key_id, operator_note)
         VALUES ('note-1', 1, 'note-1-1', $1, 'kept') RETURNING pk`,
        [key],
      );
      const shown = await client.query(`SELECT operator_note FROM backups WHERE pk = $1`, [
        rows[0].pk,
      ]);
      expect(shown.rows).toEqual([{ operator_note: 'kept' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
