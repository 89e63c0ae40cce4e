import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/** Passes bytes through unchanged while counting them and computing their SHA-256. */
export class MeasureStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0n;
  private digest: string | null = null;

  /** `passed` is told the length of each chunk as it goes through */
  constructor(private readonly passed?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += BigInt(chunk.length);
    this.passed?.(chunk.length);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    done();
  }

  /** Size and SHA-256 of everything that passed; only once the stream has ended. */
  result(): { size: bigint; sha256: string } {
    if (this.digest === null) throw new Error('MeasureStream has not ended');
    return { size: this.bytes, sha256: this.digest };
  }
}
