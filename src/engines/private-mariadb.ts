import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnvironment, lastLines } from './dump-process';
import { makeDataDir, makePrivateDir, recordServer, runTool, serverUser } from './private-dirs';
import { RestoreFailedError } from './restore-process';

/** A MariaDB server of our own, on a unix socket only, with an empty data directory. */
export interface PrivateMariadb {
  readonly socket: string;
  /** the client's arguments that reach it as root */
  readonly clientArgs: string[];
  /** runs SQL with the `mariadb` client; each result row as its tab-separated fields */
  query(sql: string): Promise<string[][]>;
  /** stops the server at once and removes its directory */
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts an empty private MariaDB server: `mariadb-install-db` into a new directory of mode
 * 0700, `mariadbd` on a unix socket in it and on no TCP port, with no binary log and no grant
 * tables (nothing but the worker can reach the socket). When the worker runs as root, the
 * server runs as the `mysql` user. Rejects with RestoreFailedError, leaving nothing behind.
 */
export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const owner = serverUser('mysql', 'MariaDB');
  const dir = makePrivateDir('mariadb');
  const socket = join(dir, 'mysqld.sock');
  let server: ChildProcess | undefined;
  const destroy = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL'); // nothing of this server is kept
      await once(server, 'exit').catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const data = makeDataDir(dir, owner);
    const userArgs = owner ? ['--user=mysql'] : [];
    await run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${data}`,
      ...userArgs,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
    server = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        '--skip-networking',
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=64M',
        '--innodb-flush-log-at-trx-commit=0',
        ...userArgs,
      ],
      { env: baseEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    recordServer(dir, server.pid);
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    const spawned = server;
    const clientArgs = ['--no-defaults', `--socket=${socket}`, '--user=root'];
    const query = async (sql: string) => {
      const out = await run('mariadb', [
        ...clientArgs,
        '--batch',
        '--skip-column-names',
        '-e',
        sql,
      ]);
      return out
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => l.split('\t'));
    };
    for (const deadline = Date.now() + START_TIMEOUT_MS; ;) {
      if (spawned.exitCode !== null || spawned.signalCode !== null) {
        throw new RestoreFailedError(
          `the private MariaDB server stopped: ${lastLines(
            output
              .split('\n')
              .filter((l) => /ERROR/.test(l))
              .join('\n') || output,
            2,
          )}`,
        );
      }
      try {
        await query('SELECT 1');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return { socket, clientArgs, query, destroy };
  } catch (err) {
    await destroy();
    throw err instanceof RestoreFailedError
      ? err
      : new RestoreFailedError(
          `the private MariaDB server could not start: ${(err as Error).message}`,
        );
  }
}

/** A MariaDB tool run to its end; its stdout. */
async function run(command: string, args: string[]): Promise<string> {
  try {
    return await runTool(command, args);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new RestoreFailedError(
      `${command} is not installed on this worker (install mariadb-server)`,
    );
  }
}
