import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { SinkClosedError } from './file-range-copy';
import { FsStorageDriver } from './fs-storage.driver';
import type { RangeReader } from './storage-driver';

const writeText = (value: string) => (sink: Writable) =>
  pipeline(Readable.from([Buffer.from(value)]), sink);

/**
 * Copies a whole opened range into memory, through a sink that is done with each chunk when it
 * calls back (as a socket is): it keeps a copy.
 */
async function collect(reader: RangeReader): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      setImmediate(done);
    },
  });
  await reader.copyTo(sink);
  return Buffer.concat(chunks);
}

describe('FsStorageDriver', () => {
  let root: string;
  let driver: FsStorageDriver;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bm-fs-'));
    driver = new FsStorageDriver(root);
  });

  const readRange = async (key: string, start: number, end: number) =>
    (await collect(await driver.openRange(key, { start, end }))).toString();

  it('writes, stats, reads whole and ranged, and deletes idempotently', async () => {
    await driver.write('inst/b-1.tgz', writeText('0123456789'));
    expect(await driver.stat('inst/b-1.tgz')).toEqual({ size: 10 });
    expect(await readRange('inst/b-1.tgz', 0, 9)).toBe('0123456789');
    expect(await readRange('inst/b-1.tgz', 3, 5)).toBe('345');
    await driver.delete('inst/b-1.tgz');
    await driver.delete('inst/b-1.tgz');
    expect(await driver.stat('inst/b-1.tgz')).toBeNull();
    await expect(driver.openRange('inst/b-1.tgz', { start: 0, end: 9 })).rejects.toThrow(/ENOENT/);
  });

  it('copies ranges larger than its buffers exactly, and rejects a range past the end', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await driver.write('inst/big.tgz', (sink) => pipeline(Readable.from([bytes]), sink));
    const start = 1024 * 1024 - 5;
    const end = bytes.length - 3;
    const copied = await collect(await driver.openRange('inst/big.tgz', { start, end }));
    expect(copied.equals(bytes.subarray(start, end + 1))).toBe(true);

    const past = await driver.openRange('inst/big.tgz', { start: 0, end: bytes.length });
    await expect(collect(past)).rejects.toThrow(`ends at byte ${bytes.length}`);
  });

  it('stops copying when the sink is closed, without waiting for buffers it will never release', async () => {
    const bytes = randomBytes(4 * 1024 * 1024);
    await driver.write('inst/c.tgz', (sink) => pipeline(Readable.from([bytes]), sink));
    // a sink that takes one chunk and never calls back again, then is destroyed
    let taken = 0;
    const stuck = new Writable({
      highWaterMark: 0,
      write(_chunk, _enc, done) {
        if (taken++ === 0) done();
      },
    });
    const reader = await driver.openRange('inst/c.tgz', { start: 0, end: bytes.length - 1 });
    const copying = reader.copyTo(stuck);
    await new Promise((r) => setTimeout(r, 50));
    stuck.destroy();
    await expect(copying).rejects.toBeInstanceOf(SinkClosedError);
    expect(taken).toBe(2);
  });

  it('shows nothing under the key while writing, and leaves nothing when the producer fails', async () => {
    const source = new PassThrough();
    let visibleWhileWriting: unknown = 'unchecked';
    const failing = driver.write('inst/b-2.tgz', async (sink) => {
      const done = pipeline(source, sink);
      source.write('half an archive');
      await new Promise((r) => setTimeout(r, 20));
      visibleWhileWriting = await driver.stat('inst/b-2.tgz');
      source.destroy(new Error('dump died'));
      await done;
    });
    await expect(failing).rejects.toThrow('dump died');
    expect(visibleWhileWriting).toBeNull();
    expect(await driver.stat('inst/b-2.tgz')).toBeNull();
    expect(readdirSync(join(root, 'inst'))).toEqual([]);
  });

  it('removes partial files a dead writer left behind, and only those of that key', async () => {
    await driver.write('inst/keep.tgz', writeText('kept'));
    const writing = driver.write('inst/b-3.tgz', () => new Promise(() => undefined)); // never finishes
    void writing;
    await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(join(root, 'inst')).some((n) => n.startsWith('.b-3.tgz.partial-'))).toBe(
      true,
    );
    await driver.removePartials('inst/b-3.tgz');
    expect(readdirSync(join(root, 'inst'))).toEqual(['keep.tgz']);
    expect(readFileSync(join(root, 'inst', 'keep.tgz'), 'utf8')).toBe('kept');
  });

  it.each(['../escape', '/abs', 'a/../b', 'a//b', '.hidden'])(
    'refuses the unsafe key %s',
    async (key) => {
      await expect(driver.stat(key)).rejects.toThrow(/unsafe storage key/);
    },
  );
});
