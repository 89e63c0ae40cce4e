import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer, freePort, startRedisServer } from './servers';

export interface TestCertificates {
  dir: string;
  /** the CA that signed the server's certificate */
  ca: string;
  /** a CA that signed nothing here: trusting only it must refuse the server */
  otherCa: string;
  serverCert: string;
  serverKey: string;
  remove(): void;
}

/**
 * A certificate authority and a server certificate for 127.0.0.1 and localhost made with
 * `openssl`, plus an unrelated CA, in a private directory: for servers the tests start with TLS.
 */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'bm-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ca = (name: string) => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
    );
  };
  ca('test-ca');
  ca('other-ca');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  );
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-days',
    '2',
    '-CA',
    path('test-ca.pem'),
    '-CAkey',
    path('test-ca.key'),
    '-CAcreateserial',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.pem'),
  );
  chmodSync(path('server.key'), 0o600);
  return {
    dir,
    ca: path('test-ca.pem'),
    otherCa: path('other-ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A private redis-server that accepts TLS only, with the server certificate of `certs`. */
export async function startTlsRedisServer(certs: TestCertificates): Promise<RedisServer> {
  const port = await freePort();
  return startRedisServer(port, [
    ...['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no'],
    ...['--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey],
    ...['--tls-ca-cert-file', certs.ca],
  ]);
}
