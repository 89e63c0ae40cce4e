import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsStorageDriver } from './fs-storage.driver';
import { SinkClosedError } from './storage-driver';

// What every driver must do is in test/storage-drivers.e2e-spec.ts; this is what only fs does.
describe('FsStorageDriver', () => {
  let root: string;
  let driver: FsStorageDriver;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bm-fs-'));
    driver = new FsStorageDriver(root);
  });

  it('removes partial files a dead writer left behind, and only those of that key', async () => {
    await driver.write('inst/keep.tgz', (sink) => pipeline(Readable.from(['kept']), sink));
    const writing = driver.write('inst/b-3.tgz', () => new Promise(() => undefined)); // never finishes
    void writing;
    const hasPartial = () =>
      readdirSync(join(root, 'inst')).some((n) => n.startsWith('.b-3.tgz.partial-'));
    for (const deadline = Date.now() + 10000; !hasPartial() && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 20));
    expect(hasPartial()).toBe(true);
    await driver.removePartials('inst/b-3.tgz');
    expect(readdirSync(join(root, 'inst'))).toEqual(['keep.tgz']);
    expect(readFileSync(join(root, 'inst', 'keep.tgz'), 'utf8')).toBe('kept');
  });

  it('probe creates the directory, and names the problem when it cannot', async () => {
    await new FsStorageDriver(join(root, 'new', 'dir')).probe();
    expect(readdirSync(join(root, 'new'))).toEqual(['dir']);
    writeFileSync(join(root, 'a-file'), '');
    await expect(new FsStorageDriver(join(root, 'a-file', 'dir')).probe()).rejects.toThrow(
      /ENOTDIR/,
    );
  });

  it('probe says the storage is not usable while its file system has less room than asked for', async () => {
    await new FsStorageDriver(root, 1024).probe();
    // more than any disk here holds: as a full disk looks to a smaller threshold
    await expect(new FsStorageDriver(root, 2 ** 52).probe()).rejects.toThrow(
      new RegExp(`^${root} has \\d+ bytes free, less than STORAGE_MIN_FREE_BYTES \\(${2 ** 52}\\)`),
    );
  });

  it('hands a sink that stops calling back no more than its two buffers', async () => {
    const bytes = randomBytes(8 * 1024 * 1024);
    await driver.write('inst/c.tgz', (sink) => pipeline(Readable.from([bytes]), sink));
    let chunks = 0;
    const stuck = new Writable({
      highWaterMark: 0,
      write(_chunk, _enc, done) {
        if (chunks++ === 0) done();
      },
    });
    const reader = await driver.openRange('inst/c.tgz', { start: 0, end: bytes.length - 1 });
    const copying = reader.copyTo(stuck);
    // the second buffer is handed over once read; a third would follow it soon after
    for (const deadline = Date.now() + 10000; chunks < 2 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    stuck.destroy();
    await expect(copying).rejects.toBeInstanceOf(SinkClosedError);
    expect(chunks).toBe(2);
  });
});
