import { Readable } from 'node:stream';
import {
  ContentCounter,
  DumpEngine,
  RestoreOptions,
  ScratchInventory,
  ScratchTarget,
} from '../shared/dump-engine';
import { CopyRowCounter } from './copy-row-counter';
import { baseEnvironment, spawnDump } from '../shared/dump-process';
import { RestoreFailedError, framedInput, runRestoreTool } from '../shared/restore-process';
import { peek } from './peek';
import {
  SCRATCH_SUPERUSER,
  countTables,
  runOnPrivate,
  startEmptyPostgres,
} from './private-postgres';
import { installedPgMajors, pgServerMajor, pgToolsFor } from './pg-tools';
import { assertPsqlCanRestrict, restrictPrologue, withoutRestrictLines } from './psql-guard';
import { checkPostgresql } from './postgresql.check';
import type { CheckOptions, ConnectionCheckResult } from '../shared/connection-check';

/**
 * Run first, in the restore's transaction: drops every schema of the database (the dump creates
 * them again, so tables created after the backup are gone) and recreates `public`, which a
 * plain dump assumes to exist.
 */
const CLEAR_DATABASE = `
DO $clear$
DECLARE s text;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
             AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END
$clear$;
CREATE SCHEMA public;
`;

/**
 * `pg_dump` in plain SQL format, restored with `psql`, both of the server's major (pg-tools). Connection settings travel in libpq's
 * environment variables, so the password never shows in a process listing.
 */
export class PostgresqlEngine implements DumpEngine {
  readonly type = 'postgresql' as const;
  readonly transactionalRestore = true;

  /**
   * Into an empty private cluster of the major the dump says it came from (else the newest
   * installed), loaded exactly as a restore loads it (restoreScript: the psql guard, one
   * transaction, ON_ERROR_STOP) and as the instance's own user, made there an ordinary role that
   * owns the database and nothing else: whatever the dump runs (a CHECK's function, a trigger)
   * runs with the tenant's rights, never a superuser's, and a dump a restore would refuse fails.
   * Says what each table then held, counted by the cluster's own superuser.
   */
  async restoreIntoScratch(input: Readable, target: ScratchTarget): Promise<ScratchInventory> {
    const { head, stream } = await peek(input, 4096);
    const major = dumpedFromMajor(head) ?? installedPgMajors().at(-1);
    if (major === undefined) {
      throw new RestoreFailedError('no PostgreSQL is installed on this worker to verify into');
    }
    const { database, user } = databaseAndUser(target.connectionUrl);
    if (user === SCRATCH_SUPERUSER) {
      throw new RestoreFailedError(
        `the instance's user is named ${SCRATCH_SUPERUSER}, the name of the scratch server's own superuser`,
      );
    }
    const server = await startEmptyPostgres(major);
    try {
      // the instance's role, and its database as the cluster's own `postgres` renamed: instant,
      // where CREATE DATABASE copies a template
      const setup = [`CREATE ROLE ${quoteIdent(user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`];
      if (database !== 'postgres') {
        setup.push(`ALTER DATABASE postgres RENAME TO ${quoteIdent(database)}`);
      }
      setup.push(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(user)}`);
      await runOnPrivate(server, 'template1', setup.join(';\n'));
      const tools = pgToolsFor(major);
      assertPsqlCanRestrict(tools.psql, major);
      await runRestoreTool(
        {
          command: tools.psql,
          args: RESTORE_ARGS,
          env: {
            ...baseEnvironment(),
            PGHOST: server.socketDir,
            PGPORT: '5432',
            PGUSER: user,
            PGDATABASE: database,
            PGAPPNAME: 'backup-manager',
          },
          secrets: [],
        },
        restoreScript(stream),
      );
      return { tables: await countTables(server, database, SCRATCH_SUPERUSER) };
    } finally {
      await server.destroy();
    }
  }

  check(connectionUrl: string, options: CheckOptions): Promise<ConnectionCheckResult> {
    return checkPostgresql(connectionUrl, options);
  }

  contentCounter(): ContentCounter {
    return new CopyRowCounter();
  }

  async dump(connectionUrl: string): Promise<Readable> {
    const { env, password } = libpqEnvironment(connectionUrl);
    const tools = pgToolsFor(await pgServerMajor(connectionUrl));
    return spawnDump({
      command: tools.pgDump,
      args: ['--format=plain', '--no-password'],
      env,
      secrets: [password],
    });
  }

  /**
   * psql in restricted mode (psql-guard): whatever the dump holds, psql runs no meta-command.
   * One transaction: BEGIN, the database cleared, the dump applied (`ON_ERROR_STOP`), and COMMIT
   * only once the whole input was read without error and `beforeCommit` agreed. Anything else ends psql without a COMMIT
   * (an input error kills it; a worker that dies leaves it at end of input), and the server rolls
   * the transaction back: the database is either the backup or untouched.
   */
  async restore(
    connectionUrl: string,
    input: Readable,
    options: RestoreOptions = {},
  ): Promise<void> {
    const { env, password } = libpqEnvironment(connectionUrl);
    const major = await pgServerMajor(connectionUrl);
    const tools = pgToolsFor(major);
    assertPsqlCanRestrict(tools.psql, major);
    return runRestoreTool(
      { command: tools.psql, args: RESTORE_ARGS, env, secrets: [password] },
      restoreScript(input, options.beforeCommit),
    );
  }
}

/** psql as every load of a dump runs it: no psqlrc, stopping at the first error. */
const RESTORE_ARGS = ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1'];

/**
 * What psql reads to load a dump, a restore's and a verification's alike: restricted before
 * the dump's first byte (psql-guard: no meta-command of the dump runs), BEGIN, the database
 * cleared, the dump, and COMMIT only once the whole input was read and `beforeCommit` agreed.
 */
function restoreScript(input: Readable, beforeCommit?: () => Promise<void> | void): Readable {
  return framedInput(
    withoutRestrictLines(input),
    `${restrictPrologue()}BEGIN;\n${CLEAR_DATABASE}`,
    '\nCOMMIT;\n',
    beforeCommit,
  );
}

/**
 * A dump's own statement of the server it came from (`-- Dumped from database version 15.10`),
 * as a major; null when its head does not say.
 */
export function dumpedFromMajor(head: Buffer): number | null {
  const m = /^-- Dumped from database version (\d+)/m.exec(head.toString('utf8'));
  return m ? Number(m[1]) : null;
}

export function libpqEnvironment(connectionUrl: string): {
  env: Record<string, string>;
  password: string;
} {
  const url = new URL(connectionUrl);
  const password = decodeURIComponent(url.password);
  const env: Record<string, string> = {
    ...baseEnvironment(),
    PGHOST: url.hostname.replace(/^\[|\]$/g, ''),
    PGPORT: url.port || '5432',
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    PGCONNECT_TIMEOUT: '15',
    PGAPPNAME: 'backup-manager',
  };
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (password) env.PGPASSWORD = password;
  // TLS as libpq takes it: the mode and the files (on the worker) it verifies and proves with
  const tls = {
    sslmode: 'PGSSLMODE',
    sslrootcert: 'PGSSLROOTCERT',
    sslcert: 'PGSSLCERT',
    sslkey: 'PGSSLKEY',
  };
  for (const [parameter, variable] of Object.entries(tls)) {
    const value = url.searchParams.get(parameter);
    if (value) env[variable] = value;
  }
  return { env, password };
}

/** The database and the user a PostgreSQL URL names (libpq's defaults where it names none). */
export function databaseAndUser(connectionUrl: string): { database: string; user: string } {
  const url = new URL(connectionUrl);
  return {
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    user: decodeURIComponent(url.username) || 'postgres',
  };
}

/** An identifier quoted for SQL, whatever it holds. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
