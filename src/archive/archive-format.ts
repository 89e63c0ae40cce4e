import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createOpensslEncryptStream } from '../crypto/openssl-enc';
import { MeasureStream } from './measure';
import { createParallelGzip } from './parallel-gzip';

/** gzip's own default: the level the shell pipeline of docs/public-api.md uses too. */
export const ARCHIVE_GZIP_LEVEL = 6;

/**
 * Streams a dump into an archive: gzip (as parallel members), then OpenSSL-compatible
 * AES-256-CBC under `passphrase`, into `sink`. Resolves with the archive's size and SHA-256
 * once every byte is written; rejects (and stops the dump) on the first failure of any stage.
 */
export async function writeArchive(
  dump: Readable,
  passphrase: string,
  sink: Writable,
): Promise<{ size: bigint; sha256: string }> {
  const measure = new MeasureStream();
  await pipeline(
    dump,
    createParallelGzip({ level: ARCHIVE_GZIP_LEVEL }),
    createOpensslEncryptStream(passphrase),
    measure,
    sink,
  );
  return measure.result();
}
