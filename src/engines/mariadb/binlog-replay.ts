import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { RecoveryOptions } from '../shared/dump-engine';
import { baseEnvironment, spawnDump } from '../shared/dump-process';
import { makePrivateDir } from '../shared/private-dirs';
import { RestoreFailedError, framedInput, runRestoreTool } from '../shared/restore-process';
import { binlogFileNumber, dumpBinlogPosition, isBinlogFileName, stopDatetime } from './binlog';
import { DUMP_FLAGS } from './mariadb-options';
import { PrivateMariadb, startPrivateMariadb } from './private-mariadb';

/** How much of a base dump's head is searched for the binlog position it was taken at. */
const HEAD_BYTES = 64 * 1024;

/** Where the replay of a base dump's binlog starts and what it is replayed into. */
export interface BinlogReplay {
  /** the database the dump and the binlog events name (the instance the backup was taken of) */
  database: string;
  /** the user that owned the objects there (their definer) */
  user: string;
  /** the SQL a load runs before the dump (clearing the database) */
  clearDatabase: string;
  /** the client's arguments every load of a dump runs with, after its connection options */
  restoreArgs(connection: string[], database: string): string[];
}

/**
 * Brings a base dump to a later moment, then hands the result on: a private MariaDB server
 * (private-mariadb: no network, no binary log, its own empty data directory) is loaded with the
 * dump, then given the archived binlog from the position the dump was taken at up to the moment,
 * and what it then holds is dumped anew into `apply` (the engine's own restore, into the
 * instance, as the tenant's user).
 *
 * The binlog is replayed there and not on the instance because its row events are applied by
 * the `BINLOG` statement, which needs the BINLOG REPLAY privilege and then writes any table of
 * the server, whatever the user's grants: the tenant's log, which is hostile input, never runs
 * with more rights than the tenant has on its own instance.
 *
 * The archived files are fetched and checked while the dump loads into the private server; a
 * damaged piece fails the restore before anything reaches the instance.
 */
export function replayToMoment(
  input: Readable,
  recovery: RecoveryOptions,
  replay: BinlogReplay,
  apply: (dump: Readable) => Promise<void>,
): Promise<void> {
  return withReplayedServer(input, recovery, replay, {
    replayed: (server) =>
      apply(
        spawnDump({
          command: 'mariadb-dump',
          args: [...server.clientArgs, ...DUMP_FLAGS, replay.database],
          env: baseEnvironment(),
          secrets: [],
        }),
      ),
  });
}

/**
 * A private MariaDB server holding the base dump `input` with the archived binlog replayed on
 * it (replayToMoment says how and why there), handed to `steps.loaded` once the dump is loaded
 * and to `steps.replayed` once the binlog is; the server is removed afterwards.
 */
export async function withReplayedServer<T>(
  input: Readable,
  recovery: RecoveryOptions,
  replay: BinlogReplay,
  steps: {
    loaded?: (server: PrivateMariadb) => Promise<void>;
    replayed: (server: PrivateMariadb) => Promise<T>;
  },
): Promise<T> {
  const dir = makePrivateDir('binlog');
  try {
    // the pieces are fetched while the server starts and the dump loads into it; a damaged
    // piece stops all of it (nothing reaches the instance before the end)
    const fetching = recovery.fetchWal(dir);
    // settles only when the fetch fails
    const fetchFailed = fetching.then(() => new Promise<never>(() => undefined));
    const starting = startPrivateMariadb();
    const server = await Promise.race([starting, fetchFailed]).catch((err: unknown) => {
      void starting.then(
        (s) => s.destroy(),
        () => undefined,
      );
      throw err;
    });
    try {
      const quoted = '`' + replay.database.replace(/`/g, '``') + '`';
      await server.query(`CREATE DATABASE ${quoted}`);
      const loader = await server.addLoader(replay.user, replay.database, ['BINLOG REPLAY']);
      let head = '';
      const watchHead = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (head.length < HEAD_BYTES) head += chunk.toString('latin1', 0, HEAD_BYTES);
          done(null, chunk);
        },
      });
      input.once('error', (err) => watchHead.destroy(err));
      await Promise.race([
        runRestoreTool(
          {
            command: 'mariadb',
            args: replay.restoreArgs(loader, replay.database),
            env: baseEnvironment(),
            secrets: [],
          },
          framedInput(input.pipe(watchHead), replay.clearDatabase),
        ),
        fetchFailed,
      ]);
      await fetching;
      const start = dumpBinlogPosition(head);
      if (!start) {
        throw new RestoreFailedError(
          'the backup holds no binlog position (it was not taken as a base backup of a continuously archived instance): no binlog can be replayed on it, and nothing was restored',
        );
      }
      await steps.loaded?.(server);
      const files = readdirSync(dir)
        .filter(isBinlogFileName)
        .filter((f) => binlogFileNumber(f) >= binlogFileNumber(start.file))
        .sort((a, b) => binlogFileNumber(a) - binlogFileNumber(b));
      if (files[0] !== start.file) {
        throw new RestoreFailedError(
          `the binlog file ${start.file}, where the backup was taken, is not in the archive: nothing was restored`,
        );
      }
      const events = spawnDump({
        command: 'mariadb-binlog',
        args: [
          '--no-defaults',
          `--start-position=${start.offset}`,
          `--database=${replay.database}`,
          ...(recovery.targetTime
            ? [`--stop-datetime=${stopDatetime(new Date(recovery.targetTime))}`]
            : []),
          ...files.map((f) => join(dir, f)),
        ],
        // event times are read and compared in UTC
        env: { ...baseEnvironment(), TZ: 'UTC' },
        secrets: [],
      });
      await runRestoreTool(
        {
          command: 'mariadb',
          // one BINLOG statement holds a whole statement's row events
          args: replay.restoreArgs([...loader, '--max-allowed-packet=1G'], replay.database),
          env: baseEnvironment(),
          secrets: [],
        },
        events,
      ).catch((err: Error) => {
        throw new RestoreFailedError(
          `the archived binlog could not be replayed on the backup: ${err.message}; nothing was restored`,
        );
      });
      rmSync(dir, { recursive: true, force: true });
      return await steps.replayed(server);
    } finally {
      await server.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
