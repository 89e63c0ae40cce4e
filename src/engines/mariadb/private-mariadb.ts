import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnvironment, lastLines } from '../shared/dump-process';
import { optionValue } from './mariadb-options';
import {
  type Owner,
  makeDataDir,
  makePrivateDir,
  recordServer,
  runTool,
  serverUser,
} from '../shared/private-dirs';
import { RestoreFailedError } from '../shared/restore-process';

/** A MariaDB server of our own, on a unix socket only, with an empty data directory. */
export interface PrivateMariadb {
  readonly socket: string;
  /** the client's arguments that reach it as root */
  readonly clientArgs: string[];
  /**
   * Creates `user` (any host; a name of the service's own where the server has that user
   * already, as `root`) with every privilege on `database` and no other (no FILE, no SUPER,
   * nothing global but the `global` privileges named, e.g. BINLOG REPLAY) and returns the
   * client's arguments that reach the server as it.
   */
  addLoader(user: string, database: string, global?: string[]): Promise<string[]>;
  /** runs SQL with the `mariadb` client; each result row as its tab-separated fields */
  query(sql: string): Promise<string[][]>;
  /** stops the server at once and removes its directory */
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/**
 * Starts an empty private MariaDB server: `mariadb-install-db` (once per worker, then a copy)
 * into a new directory of mode 0700, `mariadbd` on a unix socket in it and on no TCP port, with
 * no binary log, its grant tables in force (what it loads runs as a user of addLoader, not as
 * root) and
 * `secure_file_priv` at an empty directory of its own (no statement reads or writes a file
 * elsewhere). When the worker runs as root, the server runs as the `mysql` user. Rejects with
 * RestoreFailedError, leaving nothing behind.
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
    const files = join(dir, 'files');
    mkdirSync(files, { mode: 0o700 });
    if (owner) chownSync(files, owner.uid, owner.gid);
    const userArgs = owner ? ['--user=mysql'] : [];
    // a copy of the empty data directory this worker made once: a second of every start saved
    await run('cp', ['-a', `${await templateDataDir(owner, userArgs)}/.`, data]);
    server = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        '--skip-networking',
        `--secure-file-priv=${files}`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=64M',
        // what it holds is thrown away when it stops: nothing of it need reach the disk
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-flush-method=nosync',
        '--innodb-doublewrite=0',
        // one BINLOG statement of a replay holds a whole statement's row events
        '--max-allowed-packet=1G',
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
    // the anonymous accounts some versions install would stand before a loader's
    await query("DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES");
    const addLoader = async (wanted: string, database: string, global: string[] = []) => {
      // the server's own accounts (root, mariadb.sys) keep theirs: the load goes as another
      const [[taken]] = await query(
        `SELECT COUNT(*) FROM mysql.global_priv WHERE User = ${sqlString(wanted)}`,
      );
      const user = taken === '0' ? wanted : 'backup_manager_loader';
      const password = randomBytes(18).toString('base64url');
      const account = `${sqlString(user)}@'%'`;
      await query(
        `CREATE USER ${account} IDENTIFIED BY ${sqlString(password)};` +
          ` GRANT ALL PRIVILEGES ON \`${database.replace(/`/g, '``')}\`.* TO ${account}` +
          (global.length > 0 ? `; GRANT ${global.join(', ')} ON *.* TO ${account}` : ''),
      );
      // the password in an option file of the private directory, never on a command line
      const optionFile = join(dir, `loader-${randomBytes(4).toString('hex')}.cnf`);
      writeFileSync(
        optionFile,
        `[client]\nuser=${optionValue(user)}\npassword=${optionValue(password)}\nsocket=${optionValue(socket)}\n`,
        { mode: 0o600 },
      );
      return [`--defaults-file=${optionFile}`];
    };
    return { socket, clientArgs, query, addLoader, destroy };
  } catch (err) {
    await destroy();
    throw err instanceof RestoreFailedError
      ? err
      : new RestoreFailedError(
          `the private MariaDB server could not start: ${(err as Error).message}`,
        );
  }
}

/** The worker's empty MariaDB data directory (mariadb-install-db), made once, then copied. */
let template: Promise<string> | undefined;

async function templateDataDir(owner: Owner | null, userArgs: string[]): Promise<string> {
  // removed meanwhile (a janitor, an operator): made again
  if (template && !existsSync(join(await template.catch(() => ''), 'mysql'))) template = undefined;
  template ??= (async () => {
    const data = makeDataDir(makePrivateDir('mariadb-template'), owner);
    await run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${data}`,
      ...userArgs,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
    return data;
  })();
  // a failed one is made again next time
  template.catch(() => (template = undefined));
  return template;
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

/** A string literal for MariaDB SQL (backslash escapes, as the server reads them by default). */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
