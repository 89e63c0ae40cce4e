import IORedis from 'ioredis';
import { redisConnection } from '../../core/connections/redis-connection';
import {
  CheckOptions,
  ConnectionCheckResult,
  isTlsError,
  networkProblem,
  runCheck,
} from '../shared/connection-check';
import { redact } from '../shared/dump-process';

const STEPS = ['reachable', 'authenticated', 'server_version', 'dump_privilege'] as const;

/** Connects as redis-cli would (the URL's TLS files and user) and says what works. */
export function checkRedis(
  connectionUrl: string,
  options: CheckOptions,
): Promise<ConnectionCheckResult> {
  const url = new URL(connectionUrl);
  const target = `${url.hostname}:${url.port || '6379'}`;
  const password = decodeURIComponent(url.password);
  return runCheck(target, STEPS, options, async (report, signal) => {
    let lastError: (Error & { code?: string }) | undefined;
    let connection;
    try {
      connection = redisConnection(connectionUrl);
    } catch (err) {
      return report.fail(
        'reachable',
        `A TLS file of connection_url cannot be read: ${(err as Error).message}`,
      );
    }
    const client = new IORedis({
      ...connection,
      lazyConnect: true,
      connectTimeout: options.timeoutMs + 1000, // the check's own deadline comes first
      commandTimeout: options.timeoutMs + 1000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', (err: Error) => (lastError = err));
    const close = () => client.disconnect();
    signal.addEventListener('abort', close);
    try {
      try {
        await client.connect();
        await client.ping();
      } catch (err) {
        const e = lastError ?? (err as Error & { code?: string });
        const network = networkProblem(e, target);
        if (network) return report.fail('reachable', network);
        if (signal.aborted) return;
        report.pass('reachable', `${target} answers.`);
        const said = redact(e.message, [password]);
        if (/WRONGPASS|invalid password|invalid username-password/i.test(said)) {
          return report.fail(
            'authenticated',
            `Redis refused the ${url.username ? `user "${decodeURIComponent(url.username)}" with this password` : 'password'}: set the current credentials in connection_url (PATCH /admin/v1/instances/:id).`,
          );
        }
        if (/NOAUTH/.test(said)) {
          return report.fail(
            'authenticated',
            'Redis requires a password and connection_url gives none: add it (redis://:password@host:port).',
          );
        }
        if (isTlsError(e)) {
          return report.fail(
            'authenticated',
            `The TLS handshake with ${target} failed (${said}): check rediss:// and cacert in connection_url.`,
          );
        }
        return report.fail('authenticated', `Redis refused the connection: ${said}.`);
      }
      report.pass('reachable', `${target} answers.`);
      report.pass(
        'authenticated',
        url.username ? `Logged in as user "${decodeURIComponent(url.username)}".` : 'Logged in.',
      );

      const info = await client.info('server');
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? null;
      report.serverVersion = version;
      report.pass('server_version', `Redis ${version ?? '(version not reported)'}.`);

      // redis-cli --rdb asks for a full copy with SYNC
      try {
        const user = (await client.call('ACL', 'WHOAMI')) as string;
        const verdict = (await client.call('ACL', 'DRYRUN', user, 'SYNC')) as string;
        if (verdict === 'OK') {
          report.pass('dump_privilege', `User "${user}" may run SYNC, which redis-cli --rdb uses.`);
        } else {
          report.fail(
            'dump_privilege',
            `User "${user}" may not run SYNC, so redis-cli --rdb would fail: ACL SETUSER ${user} +sync.`,
          );
        }
      } catch (err) {
        report.unknown(
          'dump_privilege',
          `The server would not say whether this user may run SYNC (${(err as Error).message}); redis-cli --rdb needs it.`,
        );
      }
    } finally {
      signal.removeEventListener('abort', close);
      close();
    }
  });
}
