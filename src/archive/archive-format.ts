import { Transform } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createOpensslEncryptStream } from '../crypto/openssl-enc';
import type { ByteProgress } from './byte-progress';
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
  /** shown each chunk of the dump on its way (e.g. to count what it holds) */
  see?: (chunk: Buffer) => void,
  /** counts the dump's bytes read and the archive's bytes written as they pass */
  progress?: ByteProgress,
): Promise<{ size: bigint; sha256: string }> {
  const measure = new MeasureStream(progress && ((n) => (progress.written += n)));
  const gzip = createParallelGzip({ level: ARCHIVE_GZIP_LEVEL });
  const encrypt = createOpensslEncryptStream(passphrase);
  const looking =
    see || progress
      ? (chunk: Buffer) => {
          if (progress) progress.read += chunk.length;
          see?.(chunk);
        }
      : undefined;
  if (looking) await pipeline(dump, observed(looking), gzip, encrypt, measure, sink);
  else await pipeline(dump, gzip, encrypt, measure, sink);
  return measure.result();
}

/** Passes each chunk on unchanged after showing it to `see`. */
function observed(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}
