import { execFileSync } from 'node:child_process';

/** Runs SQL as root on the shared MariaDB (optionally in `db`) and returns its tab-separated output. */
export const mariadb = (sql: string, db?: string) =>
  execFileSync(
    'mariadb',
    [
      '-h',
      '127.0.0.1',
      '-P',
      '3306',
      '-uroot',
      '--batch',
      '--skip-column-names',
      ...(db ? [db] : []),
      '-e',
      sql,
    ],
    { encoding: 'utf8' },
  ).trim();
