import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { FsStorageDriver } from './fs-storage.driver';

const writeText = (value: string) => (sink: Writable) =>
  pipeline(Readable.from([Buffer.from(value)]), sink);

describe('FsStorageDriver', () => {
  let root: string;
  let driver: FsStorageDriver;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bm-fs-'));
    driver = new FsStorageDriver(root);
  });

  it('writes, stats, reads whole and ranged, and deletes idempotently', async () => {
    await driver.write('inst/b-1.tgz', writeText('0123456789'));
    expect(await driver.stat('inst/b-1.tgz')).toEqual({ size: 10 });
    expect(await text(await driver.read('inst/b-1.tgz'))).toBe('0123456789');
    expect(await text(await driver.read('inst/b-1.tgz', { start: 3, end: 5 }))).toBe('345');
    await driver.delete('inst/b-1.tgz');
    await driver.delete('inst/b-1.tgz');
    expect(await driver.stat('inst/b-1.tgz')).toBeNull();
    await expect(driver.read('inst/b-1.tgz')).rejects.toThrow(/ENOENT/);
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
