import type { InstanceType } from '../generated/prisma/client';

const PROTOCOLS: Record<InstanceType, string[]> = {
  postgresql: ['postgres:', 'postgresql:'],
  mariadb: ['mariadb:', 'mysql:'],
  redis: ['redis:', 'rediss:'],
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
    if (path !== '' && !/^\d+$/.test(path))
      return 'connection_url of a redis instance may only name a database number.';
  } else if (path === '' || path.includes('/')) {
    return `connection_url of a ${type} instance must name one database, e.g. ${allowed[0]}//user:password@host:port/dbname.`;
  }
  return null;
}
