import { availableParallelism } from 'node:os';
import { Transform, TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface ParallelGzipOptions {
  /** zlib level, 1 (fast) to 9 (small); gzip's own default is 6 */
  level?: number;
  /** bytes of input compressed as one gzip member */
  chunkBytes?: number;
  /** members compressed at once */
  parallelism?: number;
}

/**
 * gzip on every core. The input is cut into chunks that are compressed independently, on
 * libuv's thread pool, and written in order as consecutive gzip members; `gunzip` reads such a
 * file as one stream (RFC 1952 allows any number of members). At most `parallelism` chunks are
 * in flight, so memory stays bounded whatever the size of the input.
 */
export function createParallelGzip(options: ParallelGzipOptions = {}): Transform {
  const level = options.level ?? 6;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  // a couple more than the cores, so that a core never waits for the oldest chunk to finish
  const parallelism = options.parallelism ?? availableParallelism() + 2;
  const inflight: Array<Promise<Buffer>> = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const dispatch = () => {
    const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    // an output buffer as large as the input: zlib hands a chunk back to this thread each time
    // its output buffer fills, and the default 16 KiB made that ~30 round trips a chunk
    const compressed = gzipAsync(chunk, { level, chunkSize: Math.max(chunkBytes, 64 * 1024) });
    compressed.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
    inflight.push(compressed);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < chunkBytes) return done();
      dispatch();
      if (inflight.length < parallelism) return done();
      inflight
        .shift()!
        .then((out) => {
          this.push(out);
          done();
        })
        .catch((err: Error) => done(err));
    },
    flush(done: TransformCallback) {
      if (pendingBytes > 0 || inflight.length === 0) dispatch();
      (async () => {
        while (inflight.length > 0) this.push(await inflight.shift()!);
      })().then(
        () => done(),
        (err: Error) => done(err),
      );
    },
  });
}
