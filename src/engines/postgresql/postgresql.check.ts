import { Client, ClientConfig } from 'pg';
import { pgClientConfig } from '../../core/connections/postgres-connection';
import {
  CheckOptions,
  ConnectionCheckResult,
  isTlsError,
  networkProblem,
  runCheck,
} from '../shared/connection-check';
import { DumpFailedError } from '../shared/dump-engine';
import { redact } from '../shared/dump-process';
import { pgToolsFor } from './pg-tools';

/** What a PostgreSQL check reports (replication_privilege required for continuous archiving). */
const STEPS = [
  'reachable',
  'authenticated',
  'server_version',
  'dump_privilege',
  'replication_privilege',
] as const;

/** Objects pg_dump must read that the role may not: at most a few, named. */
const UNREADABLE = `
SELECT format('%I.%I', n.nspname, c.relname) AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'S', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND (NOT has_schema_privilege(n.oid, 'USAGE') OR NOT has_table_privilege(c.oid, 'SELECT')
       OR (c.relrowsecurity AND NOT pg_has_role(c.relowner, 'USAGE')
           AND NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user)))
ORDER BY 1 LIMIT 6`;

const REPLICATION = `SELECT rolreplication OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user`;

/** Connects as pg_dump would (the URL's TLS settings) and says what works. */
export function checkPostgresql(
  connectionUrl: string,
  options: CheckOptions,
): Promise<ConnectionCheckResult> {
  const url = new URL(connectionUrl);
  const target = `${url.hostname}:${url.port || '5432'}`;
  const role = decodeURIComponent(url.username) || 'the default role';
  const database = decodeURIComponent(url.pathname.slice(1)) || 'the default database';
  const password = decodeURIComponent(url.password);
  return runCheck(target, STEPS, options, async (report, signal) => {
    let client: Client | undefined;
    const close = () => void client?.end().catch(() => undefined);
    signal.addEventListener('abort', close);
    const connect = async (config: ClientConfig) => {
      close();
      client = new Client({
        ...config,
        // the check's own deadline comes first and names the setting
        connectionTimeoutMillis: options.timeoutMs + 1000,
        query_timeout: options.timeoutMs + 1000,
      });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    try {
      let config: ReturnType<typeof pgClientConfig>;
      try {
        config = pgClientConfig(connectionUrl);
      } catch (err) {
        report.fail(
          'reachable',
          `A TLS file of connection_url cannot be read: ${(err as Error).message}`,
        );
        return;
      }
      const { plainIfNoTls, ...settings } = config;
      let connected: Client;
      try {
        connected = await connect(settings).catch((err: Error) => {
          // libpq's prefer and allow fall back to plain text where the server has no TLS
          if (plainIfNoTls && /does not support SSL/.test(err.message)) {
            return connect({ ...settings, ssl: false });
          }
          throw err;
        });
      } catch (err) {
        const e = err as Error & { code?: string };
        const network = networkProblem(e, target);
        if (network) return report.fail('reachable', network);
        if (!e.code && /timeout/i.test(e.message)) {
          return report.fail(
            'reachable',
            `No answer from ${target} in time: check the host, the port and any firewall.`,
          );
        }
        report.pass('reachable', `${target} answers.`);
        const said = redact(e.message, [password]);
        if (e.code === '28P01') {
          return report.fail(
            'authenticated',
            `PostgreSQL refused the password of role "${role}": set the current password in connection_url (PATCH /admin/v1/instances/:id).`,
          );
        }
        if (e.code === '3D000') {
          return report.fail(
            'authenticated',
            `The database "${database}" does not exist on ${target}: check the database of connection_url.`,
          );
        }
        if (e.code === '28000') {
          return report.fail('authenticated', `PostgreSQL refused role "${role}": ${said}.`);
        }
        if (isTlsError(e)) {
          return report.fail(
            'authenticated',
            `The TLS handshake with ${target} failed (${said}): check sslmode and sslrootcert in connection_url.`,
          );
        }
        return report.fail('authenticated', `PostgreSQL refused the connection: ${said}.`);
      }
      report.pass('reachable', `${target} answers.`);
      report.pass('authenticated', `Logged in as role "${role}" to database "${database}".`);

      const version = await connected.query<{ v: string; n: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
      );
      const { v, n } = version.rows[0];
      report.serverVersion = v;
      try {
        pgToolsFor(Math.floor(Number(n) / 10000));
        report.pass('server_version', `PostgreSQL ${v}.`);
      } catch (err) {
        if (!(err instanceof DumpFailedError)) throw err;
        report.fail('server_version', `PostgreSQL ${v}: ${err.message}.`);
      }

      const unreadable = (await connected.query<{ name: string }>(UNREADABLE)).rows.map(
        (r) => r.name,
      );
      if (unreadable.length === 0) {
        report.pass(
          'dump_privilege',
          `Role "${role}" can read every table, sequence and view pg_dump reads.`,
        );
      } else {
        const named = unreadable.slice(0, 5).join(', ') + (unreadable.length > 5 ? ', …' : '');
        report.fail(
          'dump_privilege',
          `Role "${role}" cannot read ${named}, so pg_dump would fail: grant it SELECT on them (and USAGE on their schemas), or the role pg_read_all_data.`,
        );
      }

      const replication = await connected.query<{ ok: boolean }>(REPLICATION);
      if (replication.rows[0]?.ok) {
        report.pass(
          'replication_privilege',
          `Role "${role}" has the REPLICATION attribute continuous archiving needs.`,
        );
      } else {
        report.fail(
          'replication_privilege',
          `Role "${role}" lacks the REPLICATION attribute that continuous archiving needs: ALTER ROLE "${role}" REPLICATION.`,
        );
      }
    } finally {
      signal.removeEventListener('abort', close);
      close();
    }
  });
}
