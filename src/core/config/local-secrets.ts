import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCAL_SECRETS_DIR = './data';

/**
 * Reads a secret from `./data/<file>`, generating it first when missing, so that a newcomer's
 * first start needs no configuration. Safe when the API and the worker start at the same time:
 * the file is written under a temporary name and linked into place, which fails if another
 * process won the race, and then that process's secret is used.
 */
export function readOrCreateLocalSecret(
  file: string,
  dir: string = LOCAL_SECRETS_DIR,
): { value: string; path: string; created: boolean } {
  const path = resolve(join(dir, file));
  try {
    return { value: readFileSync(path, 'utf8').trim(), path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(resolve(dir), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  let created = true;
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    created = false;
  } finally {
    unlinkSync(tmp);
  }
  return { value: readFileSync(path, 'utf8').trim(), path, created };
}
