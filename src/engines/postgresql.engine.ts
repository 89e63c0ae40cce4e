import type { Readable } from 'node:stream';
import { DumpEngine } from './dump-engine';
import { baseEnvironment, spawnDump } from './dump-process';

/**
 * `pg_dump` in plain SQL format, restorable with `psql`. Connection settings travel in libpq's
 * environment variables, so the password never shows in a process listing.
 */
export class PostgresqlEngine implements DumpEngine {
  readonly type = 'postgresql' as const;

  dump(connectionUrl: string): Readable {
    const url = new URL(connectionUrl);
    const password = decodeURIComponent(url.password);
    const env: Record<string, string> = {
      ...baseEnvironment(),
      PGHOST: url.hostname.replace(/^\[|\]$/g, ''),
      PGPORT: url.port || '5432',
      PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
      PGCONNECT_TIMEOUT: '15',
      PGAPPNAME: 'backup-manager',
    };
    if (url.username) env.PGUSER = decodeURIComponent(url.username);
    if (password) env.PGPASSWORD = password;
    const sslmode = url.searchParams.get('sslmode');
    if (sslmode) env.PGSSLMODE = sslmode;
    return spawnDump({
      command: 'pg_dump',
      args: ['--format=plain', '--no-password'],
      env,
      secrets: [password],
    });
  }
}
