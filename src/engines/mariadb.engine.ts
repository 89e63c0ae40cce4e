import { Readable } from 'node:stream';
import {
  ContentCounter,
  DumpEngine,
  ScratchInventory,
  ScratchTarget,
  TableCount,
} from './dump-engine';
import { InsertRowCounter } from './insert-row-counter';
import { startPrivateMariadb } from './private-mariadb';
import { baseEnvironment, spawnDump } from './dump-process';
import { RestoreFailedError, framedInput, runRestoreTool } from './restore-process';
import { clientOptions } from './mariadb-options';
import { checkMariadb } from './mariadb.check';
import type { CheckOptions, ConnectionCheckResult } from './connection-check';

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
 * tool ends, so they never show in a process listing.
 */
export class MariadbEngine implements DumpEngine {
  readonly type = 'mariadb' as const;
  readonly transactionalRestore = false;

  check(connectionUrl: string, options: CheckOptions): Promise<ConnectionCheckResult> {
    return checkMariadb(connectionUrl, options);
  }

  contentCounter(): ContentCounter {
    return new InsertRowCounter();
  }

  /**
   * Into an empty private MariaDB server (private-mariadb), its database created under the
   * instance's name, with the client sandboxed as for a restore and going on past errors (a
   * statement the scratch server refuses shows in the counts, not as a stop). Says how many rows
   * each table then held.
   */
  async restoreIntoScratch(input: Readable, target: ScratchTarget): Promise<ScratchInventory> {
    const database = decodeURIComponent(new URL(target.connectionUrl).pathname.slice(1));
    const server = await startPrivateMariadb();
    try {
      const quoted = '`' + database.replace(/`/g, '``') + '`';
      await server.query(`CREATE DATABASE ${quoted}`);
      const errors: string[] = [];
      const applying = runRestoreTool(
        {
          command: 'mariadb',
          args: [...server.clientArgs, '--binary-mode', '--sandbox', '--force', database],
          env: baseEnvironment(),
          secrets: [],
          onStderr: (text) => {
            for (const line of text.split('\n')) {
              if (errors.length < 3 && /^ERROR/.test(line)) errors.push(line.trim());
            }
          },
        },
        framedInput(input, ''),
      );
      // with --force the client goes on past a refused statement and exits 1 at the end: the
      // counts below say what that cost; an input or server failure is still a failure
      await applying.catch((err: unknown) => {
        if (!(err instanceof RestoreFailedError && errors.length > 0)) throw err;
      });
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
      return { tables, errors };
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
        args: [
          `--defaults-extra-file=${optionFile}`,
          '--single-transaction',
          '--quick',
          '--routines',
          '--triggers',
          '--events',
          '--hex-blob',
          database,
        ],
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
  restore(connectionUrl: string, input: Readable): Promise<void> {
    const { optionFile, database, password, cleanup } = clientOptions(connectionUrl);
    const script = framedInput(input, CLEAR_DATABASE);
    return runRestoreTool(
      {
        command: 'mariadb',
        // --sandbox: `system` and every other command that reaches the file system are refused,
        // whatever the dump holds
        args: [`--defaults-extra-file=${optionFile}`, '--binary-mode', '--sandbox', database],
        env: baseEnvironment(),
        secrets: [password],
        cleanup,
      },
      script,
    );
  }
}

/** A string literal for MariaDB SQL (backslash escapes, as the server reads them by default). */
function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
