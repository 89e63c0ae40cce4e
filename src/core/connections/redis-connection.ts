import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';

/**
 * ioredis settings for a Redis URL as redis-cli reads it: `rediss://` is TLS, verified against
 * `cacert` (else the system's CAs) and the host name, with `cert` and `key` as the client's own
 * certificate; the path may name a database number. Certificate files are read here.
 */
export function redisConnection(connectionUrl: string): RedisOptions {
  const url = new URL(connectionUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const db = url.pathname.replace(/^\//, '');
  const options: RedisOptions = {
    host,
    port: Number(url.port || '6379'),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: db ? Number(db) : undefined,
  };
  if (url.protocol !== 'rediss:') return options;
  const read = (name: string) => {
    const file = url.searchParams.get(name);
    return file ? readFileSync(file) : undefined;
  };
  // the name checked against the certificate; an IP address is checked as one, without SNI
  const servername = isIP(host) ? undefined : host;
  return {
    ...options,
    tls: { servername, ca: read('cacert'), cert: read('cert'), key: read('key') },
  };
}

/** The parameters a `rediss://` URL may carry (redis-cli's names); each names a file. */
export const REDIS_TLS_PARAMETERS = ['cacert', 'cert', 'key'];
