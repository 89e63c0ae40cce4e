import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createOpensslEncryptStream } from '../../src/crypto/openssl-enc';

/** Opens an archive with exactly the commands the documentation gives a user. */
export function decryptWithOpenssl(archivePath: string, key: string, outDir: string): string {
  const gz = join(outDir, 'backup.gz');
  const plain = join(outDir, 'backup');
  execFileSync(
    'sh',
    [
      '-c',
      `openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$IN" > "$GZ" && gunzip -c "$GZ" > "$OUT"`,
    ],
    {
      env: { ...process.env, KEY: key, IN: archivePath, GZ: gz, OUT: plain },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return plain;
}

/** `content` gzipped and encrypted with `key` as the service writes an archive. */
export async function encryptArchive(content: Buffer, key: string): Promise<Buffer> {
  const cipher = createOpensslEncryptStream(key);
  const parts: Buffer[] = [];
  cipher.on('data', (d: Buffer) => parts.push(d));
  cipher.end(gzipSync(content));
  await once(cipher, 'end');
  return Buffer.concat(parts);
}
