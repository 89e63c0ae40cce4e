import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What every dump of a database runs `mariadb-dump` with, after its connection options: one
 * snapshot, row by row, with views, routines, triggers and events, binary as hex.
 */
export const DUMP_FLAGS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--events',
  '--hex-blob',
];

/** A value in a MySQL option file: double-quoted with backslash escapes. */
export const optionValue = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Writes the connection settings into a private option file for the mariadb tools. */
export function clientOptions(connectionUrl: string) {
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
    ...tlsOptions(url.searchParams),
  ];
  writeFileSync(optionFile, lines.join('\n') + '\n', { mode: 0o600 });
  return {
    optionFile,
    database: decodeURIComponent(url.pathname.slice(1)),
    password,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The URL's TLS parameters as client options (the client's own names): `ssl-ca` (and the
 * client's `ssl-cert`/`ssl-key`) turn TLS on, `ssl-verify-server-cert=true` verifies the
 * server's certificate and name against that CA, `ssl=false` turns TLS off.
 */
function tlsOptions(p: URLSearchParams): string[] {
  const lines: string[] = [];
  for (const name of ['ssl-ca', 'ssl-cert', 'ssl-key']) {
    const value = p.get(name);
    if (value) lines.push(`${name}=${optionValue(value)}`);
  }
  if (p.get('ssl') === 'true' || lines.length > 0) lines.push('ssl');
  if (p.get('ssl') === 'false') lines.push('skip-ssl');
  if (p.get('ssl-verify-server-cert') === 'true') lines.push('ssl-verify-server-cert');
  return lines;
}
