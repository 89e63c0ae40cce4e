import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, ClientConfig } from 'pg';
import { pgClientConfig } from '../../core/connections/postgres-connection';
import { DumpFailedError } from '../shared/dump-engine';

/** Where Debian and the official images install each PostgreSQL major's client tools. */
export const PG_TOOLS_ROOT = '/usr/lib/postgresql';

/** The majors whose `pg_dump` is installed under `root`, ascending. */
export function installedPgMajors(root = PG_TOOLS_ROOT): number[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n) && existsSync(join(root, n, 'bin', 'pg_dump')))
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Which installed major's tools dump a server of `serverMajor`: the same major when installed,
 * else the oldest newer one (pg_dump reads servers older than itself, never newer ones), else
 * null: every installed pg_dump is older than the server.
 */
export function pickPgMajor(serverMajor: number, installed: number[]): number | null {
  if (installed.includes(serverMajor)) return serverMajor;
  return installed.find((m) => m > serverMajor) ?? null;
}

/**
 * The `pg_dump` and `psql` to run against a server of `serverMajor`: full paths into
 * PG_TOOLS_ROOT when versioned tools are installed there, else whatever is on the PATH (a
 * machine with one client, such as a developer's). Throws DumpFailedError naming the package
 * to install when only older tools are installed.
 */
export function pgToolsFor(
  serverMajor: number,
  root = PG_TOOLS_ROOT,
): {
  pgDump: string;
  psql: string;
  pgBasebackup: string;
  pgReceivewal: string;
  pgWaldump: string;
} {
  const installed = installedPgMajors(root);
  if (installed.length === 0) {
    return {
      pgDump: 'pg_dump',
      psql: 'psql',
      pgBasebackup: 'pg_basebackup',
      pgReceivewal: 'pg_receivewal',
      pgWaldump: 'pg_waldump',
    };
  }
  const major = pickPgMajor(serverMajor, installed);
  if (major === null) {
    throw new DumpFailedError(
      `the instance runs PostgreSQL ${serverMajor}, newer than every installed pg_dump ` +
        `(${installed.join(', ')}); install postgresql-client-${serverMajor} on the workers`,
    );
  }
  const bin = join(root, String(major), 'bin');
  return {
    pgDump: join(bin, 'pg_dump'),
    psql: join(bin, 'psql'),
    pgBasebackup: join(bin, 'pg_basebackup'),
    pgReceivewal: join(bin, 'pg_receivewal'),
    pgWaldump: join(bin, 'pg_waldump'),
  };
}

/**
 * A client connected to the instance as libpq would connect with its URL (TLS settings; with
 * `prefer`/`allow`, plain text when the server has no TLS). The caller ends it.
 */
export async function connectPostgres(connectionUrl: string, timeoutMs = 15_000): Promise<Client> {
  let client: Client | undefined;
  const connect = async (config: ClientConfig) => {
    await client?.end().catch(() => undefined);
    client = new Client({ ...config, connectionTimeoutMillis: timeoutMs });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const { plainIfNoTls, ...config } = pgClientConfig(connectionUrl); // may read certificate files
  try {
    return await connect(config).catch((err: Error) => {
      // libpq's prefer and allow fall back to plain text where the server has no TLS
      if (plainIfNoTls && /does not support SSL/.test(err.message)) {
        return connect({ ...config, ssl: false });
      }
      throw err;
    });
  } catch (err) {
    await client?.end().catch(() => undefined);
    throw err;
  }
}

/** The server's major version (`server_version_num` / 10000), asked before a dump or restore. */
export async function pgServerMajor(connectionUrl: string): Promise<number> {
  let client: Client | undefined;
  try {
    client = await connectPostgres(connectionUrl);
    const res = await client.query<{ v: string }>(
      "SELECT current_setting('server_version_num') AS v",
    );
    const major = Math.floor(Number(res.rows[0]?.v) / 10000);
    if (!Number.isInteger(major) || major < 9) throw new Error('unexpected server version');
    return major;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DumpFailedError(`PostgreSQL could not be asked its version: ${reason}`);
  } finally {
    await client?.end().catch(() => undefined);
  }
}
