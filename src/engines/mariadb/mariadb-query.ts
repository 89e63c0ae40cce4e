import { spawn } from 'node:child_process';
import { baseEnvironment, lastLines, redact, spawnFailure } from '../shared/dump-process';
import { clientOptions } from './mariadb-options';

/** How long a query of the service's own on an instance may take. */
const QUERY_TIMEOUT_MS = 30_000;

/**
 * Runs SQL on an instance with the `mariadb` client, connected as every tool of the worker is
 * (a private option file); each result row as its tab-separated fields. Rejects with the
 * client's error (no secret in it).
 */
export function queryMariadb(connectionUrl: string, sql: string): Promise<string[][]> {
  const { optionFile, database, password, cleanup } = clientOptions(connectionUrl);
  return new Promise<string[][]>((resolve, reject) => {
    const child = spawn(
      'mariadb',
      [
        `--defaults-extra-file=${optionFile}`,
        '--batch',
        '--skip-column-names',
        '--connect-timeout=10',
        '-e',
        sql,
        database,
      ],
      { env: baseEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], timeout: QUERY_TIMEOUT_MS },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      reject(new Error(spawnFailure('mariadb', err)));
    });
    child.once('close', (code) => {
      cleanup();
      if (code !== 0) {
        return reject(
          new Error(lastLines(redact(stderr, [password]), 1) || `mariadb exited with code ${code}`),
        );
      }
      resolve(
        stdout
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => l.split('\t')),
      );
    });
  });
}
