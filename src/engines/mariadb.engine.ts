import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DumpEngine } from './dump-engine';
import { baseEnvironment, spawnDump } from './dump-process';

/** A value in a MySQL option file: double-quoted with backslash escapes. */
const optionValue = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * `mariadb-dump --single-transaction` of the instance's database, restorable with the `mariadb`
 * client. The credentials go into a private option file (mode 0600) that is removed when the
 * dump ends, so they never show in a process listing.
 */
export class MariadbEngine implements DumpEngine {
  readonly type = 'mariadb' as const;

  dump(connectionUrl: string): Readable {
    const url = new URL(connectionUrl);
    const password = decodeURIComponent(url.password);
    const dir = mkdtempSync(join(tmpdir(), 'bm-mariadb-'));
    const optionFile = join(dir, 'client.cnf');
    const lines = [
      '[client]',
      `host=${optionValue(url.hostname.replace(/^\[|\]$/g, ''))}`,
      `port=${url.port || '3306'}`,
      `user=${optionValue(decodeURIComponent(url.username))}`,
      `password=${optionValue(password)}`,
      'protocol=TCP',
    ];
    writeFileSync(optionFile, lines.join('\n') + '\n', { mode: 0o600 });
    return spawnDump({
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
        decodeURIComponent(url.pathname.slice(1)),
      ],
      env: baseEnvironment(),
      secrets: [password],
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    });
  }
}
