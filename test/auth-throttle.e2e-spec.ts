import { request as httpRequest } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { TestApp, startTestApp } from './support/test-app';

/** One request to the app's port from `localAddress` (a loopback address of its own). */
function send(
  port: number,
  path: string,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, localAddress }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/**
 * Guessing the admin token or the Backup Manager password: each failure is logged with the
 * client's address, and an address that failed 10 times in a minute is held back with 429
 * whatever it sends, while other addresses go on as before.
 */
describe('failed authentication', () => {
  let t: TestApp;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '10' });
    server = (t.app.getHttpServer() as Server).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.close();
    await t?.close();
  });

  it('40 wrong Backup Manager passwords from one address: 429s; another address gets in', async () => {
    const user = t.config.backupManagerUsername;
    const wrong = 'wrong-password-guess-0123456789';
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 40; i++) {
      const res = await send(port, '/backup-manager/instances', basic(user, wrong));
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers['retry-after'];
        expect(JSON.parse(res.body)).toStrictEqual({
          error: 'TooManyRequests',
          description: expect.stringMatching(/Too many failed authentications/),
        });
      }
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);

    // held back even with the right password, from that address
    const right = basic(user, t.config.backupManagerPassword);
    expect((await send(port, '/backup-manager/instances', right)).status).toBe(429);
    // another address is not affected
    expect((await send(port, '/backup-manager/instances', right, '127.0.0.2')).status).toBe(200);

    const lines = t.logs.filter((l) => l.includes('authentication'));
    const failed = lines.filter((l) => l.includes('"authentication failed"'));
    const refused = lines.filter((l) => l.includes('too many failures'));
    expect(failed).toHaveLength(10);
    expect(refused).toHaveLength(31);
    for (const line of [...failed, ...refused]) {
      expect(line).toMatch(/"address":"(::ffff:)?127\.0\.0\.1"/);
    }
    expect(t.logs.join('\n')).not.toContain(wrong);
  });

  it('the admin token is held back the same way, per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await send(
        port,
        '/admin/v1/instances',
        { Authorization: 'Bearer not-the-admin-token' },
        '127.0.0.3',
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const admin = { Authorization: `Bearer ${t.adminToken}` };
    expect((await send(port, '/admin/v1/instances', admin, '127.0.0.4')).status).toBe(200);
  });

  it('compares the Backup Manager user and password exactly, without trimming', async () => {
    const { backupManagerUsername: user, backupManagerPassword: password } = t.config;
    const from = '127.0.0.5';
    for (const [u, p] of [
      [` ${user}`, password],
      [user, `${password} `],
      [user, ` ${password}`],
    ]) {
      expect((await send(port, '/backup-manager/instances', basic(u, p), from)).status).toBe(401);
    }
    expect(
      (await send(port, '/backup-manager/instances', basic(user, password), from)).status,
    ).toBe(200);
  });
});
