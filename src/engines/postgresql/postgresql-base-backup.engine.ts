import { Readable } from 'node:stream';
import type { Client } from 'pg';
import { checkPostgresql } from './postgresql.check';
import type { CheckOptions, ConnectionCheckResult } from '../shared/connection-check';
import {
  DumpEngine,
  DumpFailedError,
  RestoreOptions,
  ScratchInventory,
  ScratchTarget,
} from '../shared/dump-engine';
import { baseEnvironment, spawnDump } from '../shared/dump-process';
import { connectPostgres, pgServerMajor, pgToolsFor } from './pg-tools';
import { PostgresqlEngine, databaseAndUser, libpqEnvironment } from './postgresql.engine';
import { countTables, startPrivatePostgres } from './private-postgres';
import { RestoreFailedError } from '../shared/restore-process';
import { isTar, peek } from './peek';
import { slotNames } from './replication-slots';

/**
 * The backups of a PostgreSQL instance with continuous archiving: base backups, as
 * `pg_basebackup` takes them over the replication protocol (tar format, with the WAL the backup
 * needs, so that a downloaded one starts a server by itself; a fast checkpoint, so that it
 * starts at once). A restore starts a private server on the base backup (private-postgres) and
 * moves the instance's database from there into the instance exactly as a standard restore
 * does: one transaction, the instance ending up as the backup or untouched. An archive that is a
 * plain dump (made before the instance was archived continuously) is restored as one.
 */
export class PostgresqlBaseBackupEngine implements DumpEngine {
  readonly type = 'postgresql' as const;
  readonly transactionalRestore = true;

  constructor(private readonly plain = new PostgresqlEngine()) {}

  check(connectionUrl: string, options: CheckOptions): Promise<ConnectionCheckResult> {
    return checkPostgresql(connectionUrl, options);
  }

  async walPosition(connectionUrl: string, instanceId: string): Promise<string> {
    let client: Client | undefined;
    try {
      client = await connectPostgres(connectionUrl);
      // the slot first: its WAL is then held from before the position read next, and the
      // receiver, whenever it first runs, ships from there (else a first base backup taken
      // before the receiver made the slot would never open a window)
      await client
        .query(
          `SELECT pg_create_physical_replication_slot($1, true)
           WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
          [slotNames(instanceId).shipped],
        )
        .catch((err: { code?: string }) => {
          // made by the receiver in between: that one holds the WAL just as well
          if (err.code !== '42710') throw err;
        });
      const res = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return res.rows[0].lsn;
    } catch (err) {
      throw new DumpFailedError(
        `the position of the write-ahead log could not be read: ${(err as Error).message}`,
      );
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  async dump(connectionUrl: string): Promise<Readable> {
    const { env, password } = libpqEnvironment(connectionUrl);
    const tools = pgToolsFor(await pgServerMajor(connectionUrl));
    return spawnDump({
      command: tools.pgBasebackup,
      args: [
        '--format=tar',
        '--wal-method=fetch',
        '--checkpoint=fast',
        '--pgdata=-',
        '--no-password',
      ],
      env,
      secrets: [password],
    });
  }

  /**
   * A base backup: a private server started on it (as for a restore, without recovery beyond
   * the backup's own WAL), and the rows of each table of the instance's database counted
   * there. A plain dump (made before continuous archiving): as a standard instance's.
   */
  async restoreIntoScratch(input: Readable, target: ScratchTarget): Promise<ScratchInventory> {
    const { head, stream } = await peek(input, 512);
    if (!isTar(head)) return this.plain.restoreIntoScratch(stream, target);
    const { database, user } = databaseAndUser(target.connectionUrl);
    // nothing of a damaged archive is run, even in a scratch server
    const server = await startPrivatePostgres(stream, { beforeStart: target.checkArchive });
    try {
      return { tables: await countTables(server, database, user) };
    } finally {
      await server.destroy();
    }
  }

  async restore(
    connectionUrl: string,
    input: Readable,
    options: RestoreOptions = {},
  ): Promise<void> {
    const { head, stream } = await peek(input, 512);
    if (!isTar(head)) {
      if (options.recovery) {
        throw new RestoreFailedError(
          'the backup is a plain dump, not a base backup: no write-ahead log can be replayed on it',
        );
      }
      return this.plain.restore(connectionUrl, stream, options);
    }
    // the archive's checksum is known once it is unpacked: checked (once) before its server
    // starts, and that verdict stands again before the commit
    let verdict: Promise<void> | undefined;
    const verify = () => (verdict ??= Promise.resolve().then(() => options.beforeCommit?.()));
    const server = await startPrivatePostgres(stream, {
      beforeStart: verify,
      recovery: options.recovery,
    });
    try {
      // the backup's own server holds the source's database, read as the source's user; the
      // target is written with its own credentials (a fork's may differ in both)
      const { database, user } = databaseAndUser(options.sourceConnectionUrl ?? connectionUrl);
      // a fork into another role: what the source's roles owned and were granted becomes the
      // target user's, whose server may not know the source's roles at all
      const anotherRole = databaseAndUser(connectionUrl).user !== user;
      const command = {
        command: pgToolsFor(server.major).pgDump,
        args: [
          '--format=plain',
          '--no-password',
          ...(anotherRole ? ['--no-owner', '--no-privileges'] : []),
        ],
        env: {
          ...baseEnvironment(),
          PGHOST: server.socketDir,
          PGPORT: '5432',
          PGUSER: user,
          PGDATABASE: database,
          PGAPPNAME: 'backup-manager',
        },
        secrets: [],
      };
      // pg_dump starts when the restore reads its first byte, after the target was reached: its
      // failure then has a reader, and fails the restore with pg_dump's own words
      const dump = Readable.from(
        (async function* () {
          yield* spawnDump(command);
        })(),
      );
      await this.plain.restore(connectionUrl, dump, { ...options, beforeCommit: verify });
    } finally {
      await server.destroy();
    }
  }
}
