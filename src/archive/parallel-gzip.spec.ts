import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { createParallelGzip } from './parallel-gzip';

async function compress(data: Buffer, chunkBytes: number, feed = 10_000): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += feed) parts.push(data.subarray(i, i + feed));
  const gz = createParallelGzip({ chunkBytes, parallelism: 3 });
  const out = buffer(gz);
  await pipeline(Readable.from(parts), gz);
  return out;
}

describe('parallel gzip', () => {
  it.each([
    ['empty input', 0, 1024],
    ['less than a chunk', 500, 1024],
    ['many chunks', 1_000_000, 64 * 1024],
    ['an exact multiple of the chunk size', 256 * 1024, 64 * 1024],
  ])('gunzip restores %s byte for byte', async (_label, size, chunkBytes) => {
    const data = Buffer.concat([randomBytes(size / 2), Buffer.alloc(size - size / 2, 'a')]);
    const gz = await compress(data, chunkBytes);
    expect(execFileSync('gunzip', ['-c'], { input: gz, maxBuffer: 64 << 20 }).equals(data)).toBe(
      true,
    );
    expect(gunzipSync(gz).equals(data)).toBe(true);
  });

  it('keeps the order of chunks that finish out of order', async () => {
    // compressible and incompressible chunks take different times on the thread pool
    const parts = Array.from({ length: 40 }, (_, i) =>
      i % 2 ? randomBytes(50_000) : Buffer.alloc(50_000, i),
    );
    const data = Buffer.concat(parts);
    const gz = await compress(data, 50_000, 50_000);
    expect(gunzipSync(gz).equals(data)).toBe(true);
  });
});
