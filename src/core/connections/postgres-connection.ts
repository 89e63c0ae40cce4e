import { readFileSync } from 'node:fs';
import type { ClientConfig, PoolConfig } from 'pg';

/**
 * The node-postgres settings for a PostgreSQL URL, with libpq's meaning of its TLS parameters
 * (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`; the driver's own parser reads
 * `sslmode=require` as verify-full): what pg_dump and psql do with an instance's URL, our own
 * connections do too. Without `sslmode`, libpq's `prefer`: TLS without verification, and
 * `plainIfNoTls` says that a server without TLS may be asked again in plain text.
 * `defaultMode` replaces `prefer` for URLs that name no mode (the service's own database,
 * which a pool cannot fall back for, keeps plain text unless told otherwise).
 */
export function pgClientConfig(
  connectionUrl: string,
  defaultMode = 'prefer',
): ClientConfig & { plainIfNoTls: boolean } {
  const url = new URL(connectionUrl);
  const p = url.searchParams;
  const config: ClientConfig = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || '5432'),
    database: decodeURIComponent(url.pathname.slice(1)),
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
  const mode = p.get('sslmode') ?? defaultMode;
  const plainIfNoTls = mode === 'prefer' || mode === 'allow';
  if (mode === 'disable') return { ...config, ssl: false, plainIfNoTls };
  const read = (name: string) => (p.has(name) ? readFileSync(p.get(name)!) : undefined);
  const client = { cert: read('sslcert'), key: read('sslkey') };
  const ca = read('sslrootcert');
  // libpq: require with a root certificate given verifies the chain, as verify-ca does
  const verify = mode === 'verify-full' ? 'full' : mode === 'verify-ca' || ca ? 'ca' : 'none';
  if (verify === 'none') {
    return { ...config, ssl: { rejectUnauthorized: false, ...client }, plainIfNoTls };
  }
  return {
    ...config,
    plainIfNoTls,
    ssl: {
      ca,
      ...client,
      rejectUnauthorized: true,
      ...(verify === 'ca' ? { checkServerIdentity: () => undefined } : {}),
    },
  };
}

/** The `sslmode` values libpq knows. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

/**
 * A pool's settings for the service's own database: the URL as it is, but its TLS parameters
 * with libpq's meaning (pgClientConfig), and plain text unless `sslmode` asks for TLS.
 */
export function pgPoolConfig(connectionUrl: string): PoolConfig {
  const url = new URL(connectionUrl);
  const { ssl } = pgClientConfig(connectionUrl, 'disable');
  // the driver lets the URL's own (non-libpq) reading of these win over `ssl`: take them out
  for (const name of TLS_PARAMETERS) url.searchParams.delete(name);
  return { connectionString: url.toString(), ssl };
}
