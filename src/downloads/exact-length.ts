import { Transform, TransformCallback } from 'node:stream';

/**
 * Errors when a stream ends before (or runs past) the number of bytes it promised. A download
 * has already sent its Content-Length; if storage gives out early the connection must be cut,
 * never ended as if the shorter body were the whole archive.
 */
export function exactLength(expected: number): Transform {
  let seen = 0;
  return new Transform({
    // as large as the storage's read chunks, so each chunk passes without waiting
    highWaterMark: 4 * 1024 * 1024,
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > expected)
        return done(new Error(`storage returned more than the ${expected} bytes expected`));
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      done(seen === expected ? null : new Error(`storage returned ${seen} of ${expected} bytes`));
    },
  });
}
