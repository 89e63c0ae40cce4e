import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

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
