import type { Readable } from 'node:stream';
import { DumpEngine } from './dump-engine';
import { baseEnvironment, spawnDump } from './dump-process';

/**
 * An RDB snapshot as `redis-cli --rdb` writes it. The password travels in REDISCLI_AUTH, which
 * redis-cli reads instead of `-a`, so it never shows in a process listing.
 */
export class RedisEngine implements DumpEngine {
  readonly type = 'redis' as const;

  dump(connectionUrl: string): Readable {
    const url = new URL(connectionUrl);
    const password = decodeURIComponent(url.password);
    const env = baseEnvironment();
    if (password) env.REDISCLI_AUTH = password;
    const args = ['-h', url.hostname.replace(/^\[|\]$/g, ''), '-p', url.port || '6379'];
    if (url.username) args.push('--user', decodeURIComponent(url.username));
    if (url.protocol === 'rediss:') args.push('--tls');
    args.push('--no-auth-warning', '--rdb', '-');
    return spawnDump({ command: 'redis-cli', args, env, secrets: [password] });
  }
}
