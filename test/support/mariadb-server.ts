import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './processes';
import { freePort } from './servers';

export interface MariadbServer {
  port: number;
  /** runs SQL as root over the server's socket */
  sql(statements: string, db?: string): string;
  stop(): Promise<void>;
}

/**
 * A private MariaDB server (mariadb-install-db into a temporary directory) on a free port, for
 * tests that need a server configured otherwise than the shared one, e.g. with TLS required or
 * its binary log on.
 * Runs as root only where the tests do (the data directory is its own).
 */
export async function startMariadbServer(
  options: {
    tls?: { ca: string; cert: string; key: string };
    /** the binary log on, in this format (ROW for continuous archiving) */
    binlogFormat?: 'ROW' | 'STATEMENT' | 'MIXED';
  } = {},
): Promise<MariadbServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bm-mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mariadb.sock');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...user,
    ],
    { stdio: 'pipe' },
  );
  const tls = options.tls
    ? [
        `--ssl-ca=${options.tls.ca}`,
        `--ssl-cert=${options.tls.cert}`,
        `--ssl-key=${options.tls.key}`,
        '--require-secure-transport=ON',
      ]
    : [];
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--innodb-buffer-pool-size=32M',
      ...user,
      ...tls,
      ...(options.binlogFormat
        ? [
            `--log-bin=${join(data, 'binlog')}`,
            '--server-id=1',
            `--binlog-format=${options.binlogFormat}`,
            // a binlog replayed by hand holds a whole statement's row events in one statement
            '--max-allowed-packet=1G',
          ]
        : []),
    ],
    { stdio: 'ignore' },
  );
  const sql = (statements: string, db?: string) =>
    execFileSync(
      'mariadb',
      [
        '--no-defaults',
        `--socket=${socket}`,
        '-uroot',
        '--batch',
        '--skip-column-names',
        ...(db ? [db] : []),
        '-e',
        statements,
      ],
      // stderr is kept for the error, not printed (the start-up probe fails a few times)
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error('mariadbd exited');
      return Promise.resolve(sql('SELECT 1') === '1');
    },
    60000,
    `the private mariadbd on port ${port}`,
  );
  return {
    port,
    sql,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
