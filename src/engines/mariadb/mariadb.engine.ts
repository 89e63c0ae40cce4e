import { Readable } from 'node:stream';
import {
  ContentCounter,
  DumpEngine,
  RestoreOptions,
  ScratchInventory,
  ScratchTarget,
  TableCount,
} from '../shared/dump-engine';
import { InsertRowCounter } from './insert-row-counter';
import { PrivateMariadb, sqlString, startPrivateMariadb } from './private-mariadb';
import { baseEnvironment, spawnDump } from '../shared/dump-process';
import { framedInput, runRestoreTool } from '../shared/restore-process';
import { DUMP_FLAGS, clientOptions } from './mariadb-options';
import { checkMariadb } from './mariadb.check';
import { replayToMoment, withReplayedServer } from './binlog-replay';
import type { CheckOptions, ConnectionCheckResult } from '../shared/connection-check';

/**
 * Run first when restoring: drops every view and table of the database, so that tables created
 * after the backup are gone (the dump recreates the rest, each after its own DROP … IF EXISTS).
 */
const CLEAR_DATABASE = `
SET FOREIGN_KEY_CHECKS = 0;
SET SESSION group_concat_max_len = 4294967295;
SELECT IFNULL(CONCAT('DROP VIEW IF EXISTS ', GROUP_CONCAT(CONCAT('\`', REPLACE(table_name, '\`', '\`\`'), '\`'))), 'DO 0')
  INTO @bm_drop FROM information_schema.views WHERE table_schema = DATABASE();
PREPARE bm_drop FROM @bm_drop; EXECUTE bm_drop; DEALLOCATE PREPARE bm_drop;
SELECT IFNULL(CONCAT('DROP TABLE IF EXISTS ', GROUP_CONCAT(CONCAT('\`', REPLACE(table_name, '\`', '\`\`'), '\`'))), 'DO 0')
  INTO @bm_drop FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE';
PREPARE bm_drop FROM @bm_drop; EXECUTE bm_drop; DEALLOCATE PREPARE bm_drop;
SET FOREIGN_KEY_CHECKS = 1;
`;

/**
 * `mariadb-dump --single-transaction` of the instance's database, restored with the `mariadb`
 * client. The credentials go into a private option file (mode 0600) that is removed when the
 * tool ends, so they never show in a process listing. A restore to a moment (of a base backup,
 * mariadb-base-backup.engine.ts) replays the archived binlog on the dump first
 * (binlog-replay.ts); a fork may bring one into any MariaDB instance.
 */
export class MariadbEngine implements DumpEngine {
  readonly type = 'mariadb' as const;
  readonly transactionalRestore = false;

  /** the dump's own flags, after the common ones (base backups add theirs) */
  protected readonly dumpFlags: string[] = [];

  check(connectionUrl: string, options: CheckOptions): Promise<ConnectionCheckResult> {
    return checkMariadb(connectionUrl, options);
  }

  contentCounter(): ContentCounter {
    return new InsertRowCounter();
  }

  /**
   * Into an empty private MariaDB server (private-mariadb), its database created under the
   * instance's name, loaded exactly as a restore loads it (sandboxed client, stopping at the
   * first error) by the instance's user made there a user of that database alone: what the dump
   * runs has the tenant's rights, never FILE or SUPER. Says how many rows each table then held.
   */
  async restoreIntoScratch(input: Readable, target: ScratchTarget): Promise<ScratchInventory> {
    const url = new URL(target.connectionUrl);
    const database = decodeURIComponent(url.pathname.slice(1));
    const user = decodeURIComponent(url.username) || 'root';
    if (target.recovery) {
      // a base backup: counted once loaded, then its archived binlog replayed on it
      let tables: TableCount[] = [];
      return withReplayedServer(
        input,
        target.recovery,
        { database, user, clearDatabase: CLEAR_DATABASE, restoreArgs },
        {
          loaded: async (server) => {
            tables = await countRows(server, database);
          },
          replayed: async (server) => ({ tables, replayed: await countRows(server, database) }),
        },
      );
    }
    const server = await startPrivateMariadb();
    try {
      const quoted = '`' + database.replace(/`/g, '``') + '`';
      await server.query(`CREATE DATABASE ${quoted}`);
      const loader = await server.addLoader(user, database);
      await runRestoreTool(
        {
          command: 'mariadb',
          args: restoreArgs(loader, database),
          env: baseEnvironment(),
          secrets: [],
        },
        framedInput(input, CLEAR_DATABASE),
      );
      return { tables: await countRows(server, database) };
    } finally {
      await server.destroy();
    }
  }

  dump(connectionUrl: string): Promise<Readable> {
    const { optionFile, database, password, cleanup } = clientOptions(connectionUrl);
    return Promise.resolve(
      spawnDump({
        command: 'mariadb-dump',
        // the option file must come first on the command line
        args: [`--defaults-extra-file=${optionFile}`, ...DUMP_FLAGS, ...this.dumpFlags, database],
        env: baseEnvironment(),
        secrets: [password],
        cleanup,
      }),
    );
  }

  /**
   * Clears the database's tables and views, then applies the dump. MariaDB commits DDL
   * implicitly, so this cannot be one transaction: a restore that fails half-way leaves the
   * tables it had restored and none of the others (the restore ends failed and says why; run it
   * again). A corrupted archive never gets this far: its checksum is verified first.
   */
  restore(connectionUrl: string, input: Readable, options: RestoreOptions = {}): Promise<void> {
    if (options.recovery) {
      const source = new URL(options.sourceConnectionUrl ?? connectionUrl);
      return replayToMoment(
        input,
        options.recovery,
        {
          database: decodeURIComponent(source.pathname.slice(1)),
          user: decodeURIComponent(source.username) || 'root',
          clearDatabase: CLEAR_DATABASE,
          restoreArgs,
        },
        (dump) => this.restore(connectionUrl, dump),
      );
    }
    const { optionFile, database, password, cleanup } = clientOptions(connectionUrl);
    const script = framedInput(input, CLEAR_DATABASE);
    return runRestoreTool(
      {
        command: 'mariadb',
        args: restoreArgs([`--defaults-extra-file=${optionFile}`], database),
        env: baseEnvironment(),
        secrets: [password],
        cleanup,
      },
      script,
    );
  }
}

/**
 * The client as every load of a dump runs it, after its connection options. --sandbox: `system`
 * and every other command that reaches the file system are refused, whatever the dump holds.
 */
function restoreArgs(connection: string[], database: string): string[] {
  return [...connection, '--binary-mode', '--sandbox', database];
}

/** Each base table of `database` on a private server and the rows it holds. */
async function countRows(server: PrivateMariadb, database: string): Promise<TableCount[]> {
  const quoted = '`' + database.replace(/`/g, '``') + '`';
  const names = await server.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = ${sqlString(database)} AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const tables: TableCount[] = [];
  for (const [name] of names) {
    const [[rows]] = await server.query(
      `SELECT COUNT(*) FROM ${quoted}.\`${name.replace(/`/g, '``')}\``,
    );
    tables.push({ table: name, rows: Number(rows) });
  }
  return tables;
}
