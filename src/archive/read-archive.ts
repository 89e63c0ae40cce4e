import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createOpensslDecryptStream } from '../crypto/openssl-enc';
import type { ByteProgress } from './byte-progress';

/**
 * What decryption takes at a time, and what the content holds before the consumer reads it:
 * storage hands over 1 MiB chunks, and a decrypted copy of each, alive until collected, was what
 * kept a worker's memory up during a restore or a verification.
 */
const SLICE = 256 * 1024;

/** A consumer gave up on the archive's content before its end without saying why. */
export class ContentNotReadError extends Error {
  constructor() {
    super('the restore tool finished before it had read the whole archive');
  }
}

export interface ArchiveReading {
  /** writes the stored archive's bytes into the sink it is given (a storage range copy) */
  copy: (sink: Writable) => Promise<void>;
  passphrase: string;
  /**
   * Reads the decrypted, gunzipped content to its end. `sha256()` is the SHA-256 of the stored
   * bytes, available once the content has ended.
   */
  consume: (content: Readable, sha256: () => string) => Promise<void>;
  /** counts the stored bytes read as they pass (`read`) */
  progress?: ByteProgress;
}

/**
 * Streams a stored archive (the format of writeArchive) into a consumer: storage → SHA-256 →
 * decryption → gunzip → `consume`. It owns every stream it makes: the first failure of any
 * part (storage, decryption, gunzip, the consumer or its tool) tears all of them down, so the
 * promise settles promptly, the storage read is released, and a consumer that reads the
 * content sees it fail and stops its tool. Rejects with the consumer's own verdict when that
 * is a `preferred` error (a tool's exit status and stderr tail), else with the first failure.
 */
export async function readArchive(
  reading: ArchiveReading,
  preferred: (err: unknown) => boolean = () => false,
): Promise<void> {
  const hash = createHash('sha256');
  const decrypt = createOpensslDecryptStream(reading.passphrase);
  // hashes on the way; a chunk is handed back to storage only once decryption consumed all of it
  const sink = new Writable({
    highWaterMark: 0,
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      if (reading.progress) reading.progress.read += chunk.length;
      let at = 0;
      const next = (err?: Error | null) => {
        if (err || at >= chunk.length) return done(err ?? undefined);
        const slice = chunk.subarray(at, at + SLICE);
        at += SLICE;
        decrypt.write(slice, next);
      };
      next();
    },
  });
  // large chunks: a restore tool's pipe takes them in fewer, cheaper writes
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const content = new PassThrough({ highWaterMark: SLICE });
  const streams = [sink, decrypt, gunzip, content];
  // each failure reaches us through the promises below; a stream destroyed with an error must
  // not also throw it as an unhandled 'error' event
  for (const s of streams) s.on('error', () => undefined);

  let first: Error | undefined;
  const tearDown = (err: unknown) => {
    first ??= err instanceof Error ? err : new Error(String(err));
    // a stream held mid-write (decryption waiting for gunzip to drain) never calls back: only
    // destroying the whole chain releases its writer
    for (const s of streams) if (!s.destroyed) s.destroy(first);
  };
  const watched = <T>(p: Promise<T>) =>
    p.catch((err: unknown) => {
      tearDown(err);
      throw err;
    });

  const decoding = watched(pipeline(decrypt, gunzip, content));
  const copying = watched(reading.copy(sink).then(() => void decrypt.end()));
  const consuming = watched(
    reading
      .consume(content, () => hash.digest('hex'))
      .then(() => {
        // a consumer that returned early would leave decoding waiting on a full buffer
        if (!content.readableEnded) throw new ContentNotReadError();
      }),
  );
  const [, , consumed] = await Promise.allSettled([copying, decoding, consuming]);
  if (consumed.status === 'rejected' && preferred(consumed.reason)) throw consumed.reason;
  if (first) throw first;
}
