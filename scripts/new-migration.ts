/**
 * `npm run db:migration -- <name> [--same-output]` writes
 * prisma/migrations/<timestamp>_<name>/migration.sql: the tables' part from the difference
 * between the committed Prisma schema (HEAD) and the edited one (`prisma migrate diff` of the two
 * datamodels: the WASM schema engine cannot use the shadow database `prisma migrate dev` needs),
 * then every function, trigger and view of src/database/ that the migrations so far do not make
 * exactly as defined there (a view over a changed table among them), read by PostgreSQL itself
 * in a scratch database that the existing migrations are applied to. The migration is applied to
 * that database before it is written, and must leave nothing to do.
 *
 * `--same-output`: the change renders every row as before (say, a faster expression of the
 * backup's JSON head), so the migration does not render the stored rows anew.
 * `--schema <file>`, `--from <file>` and `--out <dir>` stand in for the edited schema, the
 * committed one and prisma/migrations (the tests use them). DATABASE_URL names the server the
 * scratch database is made on (by default the local one).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { DEFAULT_DATABASE_URL } from '../src/core/config/defaults';
import { planDefinitions, renderMigration } from '../src/database/catalog';
import { databaseDefinitions } from '../src/database/definitions';
import { modelColumns, viewColumns } from '../src/database/prisma-schema';

const root = join(__dirname, '..');
const prisma = join(__dirname, 'prisma.js');

function option(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) usage(`${flag} needs a value`);
  args.splice(i, 2);
  return value;
}

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run db:migration -- <name in snake_case> [--same-output]`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const schema = option(args, '--schema') ?? join(root, 'prisma', 'schema.prisma');
  const out = option(args, '--out') ?? join(root, 'prisma', 'migrations');
  const sameOutput = args.includes('--same-output');
  const rest = args.filter((a) => a !== '--same-output');
  const from = option(rest, '--from') ?? committedSchema();
  const [name] = rest;
  if (rest.length !== 1 || !/^[a-z0-9_]+$/.test(name))
    usage('name the migration once, in snake_case');

  const schemaText = readFileSync(schema, 'utf8');
  const missing = modelColumns(schemaText, 'BackupRow').filter(
    (c) => !viewColumns(schemaText, 'Backup').includes(c),
  );
  if (missing.length) {
    console.warn(
      `the view backups will show ${missing.join(', ')}, which view Backup in ${relative(root, schema)} ` +
        'does not list: add the field there too, or the client does not read it',
    );
  }
  const tableSql = tablesDiff(from, schema);
  const definitions = databaseDefinitions(schemaText);
  const sql = await inScratchDatabase(async (db) => {
    const plan = await planDefinitions(db, definitions, tableSql);
    const migration = renderMigration(plan, tableSql, { sameOutput });
    if (migration) await proveApplies(db, migration, definitions);
    return migration;
  });
  if (!sql) {
    console.log('no change: the schema and src/database/ are what the migrations make');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(out, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  console.log(`wrote ${relative(process.cwd(), join(dir, 'migration.sql'))}`);
}

function committedSchema(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bm-schema-')), 'schema.prisma');
  writeFileSync(file, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: root }));
  return file;
}

function tablesDiff(from: string, to: string): string {
  const args = ['migrate', 'diff', '--from-schema-datamodel', from, '--to-schema-datamodel', to];
  const diff = spawnSync(process.execPath, [prisma, ...args, '--script'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (diff.status !== 0) {
    process.stderr.write(diff.stderr);
    process.exit(diff.status ?? 1);
  }
  // an empty diff is a comment alone
  return /^\s*(--[^\n]*\n?\s*)*$/.test(diff.stdout) ? '' : diff.stdout.trim();
}

/** Runs `work` on a new database that the existing migrations are applied to, then drops it. */
async function inScratchDatabase<T>(work: (db: Client) => Promise<T>): Promise<T> {
  const server = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const name = `bm_migration_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: withDatabase(server, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const deploy = spawnSync(process.execPath, [prisma, 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: withDatabase(server, name) },
      encoding: 'utf8',
    });
    if (deploy.status !== 0)
      throw new Error(`the migrations so far do not apply:\n${deploy.stdout}${deploy.stderr}`);
    const db = new Client({ connectionString: withDatabase(server, name) });
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

function withDatabase(server: URL, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Applies the migration to the scratch database and plans again: nothing may be left. */
async function proveApplies(
  db: Client,
  migration: string,
  definitions: ReturnType<typeof databaseDefinitions>,
): Promise<void> {
  try {
    await db.query(migration);
  } catch (e) {
    throw new Error(`the migration does not apply: ${(e as Error).message}\n\n${migration}`);
  }
  const left = await planDefinitions(db, definitions);
  const names = [...left.changed.map((d) => `${d.kind} ${d.name}`), ...left.removed];
  if (names.length) throw new Error(`after the migration, still different: ${names.join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
