import { SSL_MODES } from '../core/connections/postgres-connection';
import { REDIS_TLS_PARAMETERS } from '../core/connections/redis-connection';
import type { InstanceType } from '../generated/prisma/client';

const PROTOCOLS: Record<InstanceType, string[]> = {
  postgresql: ['postgres:', 'postgresql:'],
  mariadb: ['mariadb:', 'mysql:'],
  redis: ['redis:', 'rediss:'],
};

/** A parameter's check: null when the value is acceptable, else what is wrong with it. */
type ParameterCheck = (value: string) => string | null;

const oneOf =
  (...values: string[]): ParameterCheck =>
  (v) =>
    values.includes(v) ? null : `must be one of ${values.join(', ')}`;
/** files the workers read (CA and client certificates): absolute paths on the workers */
const file: ParameterCheck = (v) =>
  v.startsWith('/') ? null : 'must be the absolute path of a file on the workers';
const bool = oneOf('true', 'false');

/**
 * The query parameters an instance's URL may carry, per type: its TLS settings, named as the
 * engine's own clients name them (libpq for PostgreSQL, the mariadb client's options, redis-cli's
 * `--cacert`). Anything else is refused rather than silently ignored: a misspelt TLS parameter
 * must not leave a connection in plain text.
 */
const PARAMETERS: Record<InstanceType, Record<string, ParameterCheck>> = {
  postgresql: {
    sslmode: oneOf(...SSL_MODES),
    sslrootcert: file,
    sslcert: file,
    sslkey: file,
  },
  mariadb: {
    ssl: bool,
    'ssl-ca': file,
    'ssl-cert': file,
    'ssl-key': file,
    'ssl-verify-server-cert': bool,
  },
  redis: Object.fromEntries(REDIS_TLS_PARAMETERS.map((name) => [name, file])),
};

/**
 * Checks that a connection URL can reach an instance of the given type. Returns a sentence
 * for the operator when it cannot; never echoes the URL, which may hold a password.
 */
export function connectionUrlProblem(type: InstanceType, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'connection_url is not a valid URL.';
  }
  const allowed = PROTOCOLS[type];
  if (!allowed.includes(parsed.protocol)) {
    return `connection_url of a ${type} instance must start with ${allowed.map((p) => `${p}//`).join(' or ')}.`;
  }
  if (!parsed.hostname) return 'connection_url must name a host.';
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (type === 'redis') {
    // one rule for backup, download and restore: a redis instance is the whole server
    if (path !== '' && path !== '0') {
      return 'A redis instance is the whole server: its backups hold every logical database and its restores write every one, so connection_url may name no database but 0.';
    }
  } else if (path === '' || path.includes('/')) {
    return `connection_url of a ${type} instance must name one database, e.g. ${allowed[0]}//user:password@host:port/dbname.`;
  }
  return parametersProblem(type, parsed);
}

function parametersProblem(type: InstanceType, url: URL): string | null {
  const known = PARAMETERS[type];
  const seen = new Set<string>();
  for (const [name, value] of url.searchParams) {
    const check = known[name];
    if (!check) {
      return `connection_url of a ${type} instance takes no parameter "${name.slice(0, 40)}"; it takes ${Object.keys(known).join(', ')}.`;
    }
    if (seen.has(name)) return `connection_url names the parameter ${name} twice.`;
    seen.add(name);
    const wrong = check(value);
    if (wrong) return `The connection_url parameter ${name} ${wrong}.`;
  }
  const p = url.searchParams;
  const pair = (a: string, b: string) =>
    p.has(a) !== p.has(b) ? `The connection_url parameters ${a} and ${b} go together.` : null;
  if (type === 'postgresql') {
    if (['verify-ca', 'verify-full'].includes(p.get('sslmode') ?? '') && !p.has('sslrootcert'))
      return `sslmode=${p.get('sslmode')} needs sslrootcert: the CA certificate to verify the server with.`;
    return pair('sslcert', 'sslkey');
  }
  if (type === 'mariadb') {
    if (p.get('ssl-verify-server-cert') === 'true' && !p.has('ssl-ca'))
      return 'ssl-verify-server-cert=true needs ssl-ca: the CA certificate to verify the server with.';
    if (p.get('ssl') === 'false' && [...p.keys()].some((k) => k.startsWith('ssl-')))
      return 'ssl=false contradicts the other ssl- parameters of connection_url.';
    return pair('ssl-cert', 'ssl-key');
  }
  if ([...p.keys()].length > 0 && url.protocol !== 'rediss:')
    return 'The TLS parameters of a redis connection_url need the rediss:// scheme.';
  return pair('cert', 'key');
}
