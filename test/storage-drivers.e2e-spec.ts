import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsStorageDriver } from '../src/storage/fs-storage.driver';
import { MemoryStorageDriver } from '../src/storage/memory-storage.driver';
import { S3StorageDriver } from '../src/storage/s3-storage.driver';
import {
  ObjectExistsError,
  RangeReader,
  SinkClosedError,
  StorageDriver,
} from '../src/storage/storage-driver';
import { S3TestServer, startS3Server } from './support/s3';

const writeBytes = (bytes: Buffer) => (sink: Writable) => pipeline(Readable.from([bytes]), sink);

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

interface Subject {
  driver: StorageDriver;
  /** every stored object or file under the driver's root, as its own tools list them */
  stored(): Promise<string[]>;
}

/**
 * The storage contract, the same for every driver: what the worker and the API rely on. The
 * memory driver, which unit tests use in place of the others, is held to it too.
 */
describe.each([
  [
    'fs',
    (): Promise<Subject & { close?: () => Promise<void> }> => {
      const root = mkdtempSync(join(tmpdir(), 'bm-fs-'));
      return Promise.resolve({
        driver: new FsStorageDriver(root),
        stored: () =>
          Promise.resolve(
            readdirSync(root, { recursive: true, withFileTypes: true })
              .filter((e) => e.isFile())
              .map((e) => join(e.parentPath, e.name).slice(root.length + 1)),
          ),
      });
    },
  ],
  [
    'memory',
    (): Promise<Subject> => {
      const driver = new MemoryStorageDriver();
      return Promise.resolve({ driver, stored: () => Promise.resolve(driver.keys()) });
    },
  ],
  [
    's3',
    async (): Promise<Subject & { close?: () => Promise<void> }> => {
      const server: S3TestServer = await startS3Server('archives');
      const driver = new S3StorageDriver(server.settings, 5000);
      return {
        driver,
        stored: () => server.keys(),
        close: async () => {
          driver.onModuleDestroy();
          // let the server log the requests whose connections just closed before its logger goes
          await new Promise((r) => setTimeout(r, 200));
          await server.close();
        },
      };
    },
  ],
])('storage driver %s', (name, start) => {
  let subject: Subject & { close?: () => Promise<void> };
  let driver: StorageDriver;
  const under = (key: string) => (name === 's3' ? `archives/${key}` : key);

  beforeAll(async () => {
    subject = await start();
    driver = subject.driver;
  });
  afterAll(() => subject?.close?.());

  it('stores an archive larger than a multipart part and reads back every range exactly', async () => {
    const bytes = randomBytes(17 * 1024 * 1024 + 3);
    await driver.write('inst-a/b-1.tgz', writeBytes(bytes));
    expect(await driver.stat('inst-a/b-1.tgz')).toEqual({ size: bytes.length });
    expect(await subject.stored()).toContain(under('inst-a/b-1.tgz'));
    const ranges = [
      [0, bytes.length - 1],
      [7, 7],
      [1024 * 1024 - 5, 3 * 1024 * 1024 + 7],
      [bytes.length - 10, bytes.length - 1],
    ];
    for (const [start, end] of ranges) {
      const got = await collect(await driver.openRange('inst-a/b-1.tgz', { start, end }));
      expect({ start, end, equal: got.equals(bytes.subarray(start, end + 1)) }).toEqual({
        start,
        end,
        equal: true,
      });
    }
  });

  it('refuses a range past the end instead of copying fewer bytes than asked for', async () => {
    await driver.write('inst-a/short.tgz', writeBytes(Buffer.from('0123456789')));
    const copied = (async () =>
      collect(await driver.openRange('inst-a/short.tgz', { start: 5, end: 20 })))();
    await expect(copied).rejects.toThrow();
  });

  it('shows nothing under the key while writing, and leaves nothing when the producer fails', async () => {
    const source = new PassThrough();
    let visibleWhileWriting: unknown = 'unchecked';
    const failing = driver.write('inst-b/b-2.tgz', async (sink) => {
      const done = pipeline(source, sink);
      // more than a multipart part (5 MiB), so that an upload is under way when it fails
      source.write(randomBytes(6 * 1024 * 1024));
      await new Promise((r) => setTimeout(r, 200));
      visibleWhileWriting = await driver.stat('inst-b/b-2.tgz');
      source.destroy(new Error('dump died'));
      await done;
    });
    await expect(failing).rejects.toThrow('dump died');
    expect(visibleWhileWriting).toBeNull();
    expect(await driver.stat('inst-b/b-2.tgz')).toBeNull();
    expect((await subject.stored()).filter((k) => k.includes('inst-b'))).toEqual([]);
  });

  it('a missing archive: openRange rejects before any byte, stat is null, delete is a no-op', async () => {
    await expect(driver.openRange('inst-c/none.tgz', { start: 0, end: 9 })).rejects.toThrow();
    expect(await driver.stat('inst-c/none.tgz')).toBeNull();
    await driver.delete('inst-c/none.tgz');
    await driver.removePartials('inst-c/none.tgz');
  });

  it('creates a key once: a create-only write onto a stored key fails and leaves it as it was', async () => {
    const key = 'inst-c/wal/000000010000000000000001.00000000.g1.tgz';
    await driver.write(key, writeBytes(Buffer.from('first')), { createOnly: true });
    await expect(
      driver.write(key, writeBytes(Buffer.from('second, longer')), { createOnly: true }),
    ).rejects.toThrow(ObjectExistsError);
    expect(await collect(await driver.openRange(key, { start: 0, end: 4 }))).toEqual(
      Buffer.from('first'),
    );
    expect(await driver.stat(key)).toEqual({ size: 5 });
    // nothing of the refused write is left beside it
    expect((await subject.stored()).filter((k) => k.includes('inst-c'))).toEqual([under(key)]);
  });

  it('deletes an archive, and deleting it again is harmless', async () => {
    await driver.write('inst-d/b-1.tgz', writeBytes(Buffer.from('archive')));
    await driver.delete('inst-d/b-1.tgz');
    await driver.delete('inst-d/b-1.tgz');
    expect(await driver.stat('inst-d/b-1.tgz')).toBeNull();
    expect((await subject.stored()).filter((k) => k.includes('inst-d'))).toEqual([]);
  });

  it('deletes many archives at once, those already gone too, and refuses an unsafe key', async () => {
    // more than one request's worth for S3 (1,000 keys)
    const keys = Array.from({ length: 1203 }, (_, i) => `inst-m/b-${i}.tgz`);
    for (const key of keys.filter((_, i) => i % 100 === 0)) {
      await driver.write(key, writeBytes(Buffer.from(key)));
    }
    await driver.write('inst-m/kept.tgz', writeBytes(Buffer.from('kept')));
    expect(await driver.deleteMany(keys)).toEqual({ failed: [], error: undefined });
    expect((await subject.stored()).filter((k) => k.includes('inst-m'))).toEqual([
      under('inst-m/kept.tgz'),
    ]);
    await expect(driver.deleteMany(['inst-m/kept.tgz', '../escape.tgz'])).rejects.toThrow();
    expect(await driver.stat('inst-m/kept.tgz')).toEqual({ size: 4 });
    await driver.delete('inst-m/kept.tgz');
  });

  it('stops copying with SinkClosedError when the receiver goes away', async () => {
    const bytes = randomBytes(8 * 1024 * 1024);
    await driver.write('inst-e/b-1.tgz', writeBytes(bytes));
    let taken = 0;
    // takes one chunk and then never calls back, like a client that stopped reading
    const stuck = new Writable({
      highWaterMark: 0,
      write(chunk: Buffer, _enc, done) {
        taken += chunk.length;
        if (taken === chunk.length) done();
      },
    });
    const reader = await driver.openRange('inst-e/b-1.tgz', { start: 0, end: bytes.length - 1 });
    const copying = reader.copyTo(stuck);
    await new Promise((r) => setTimeout(r, 100));
    stuck.destroy();
    await expect(copying).rejects.toBeInstanceOf(SinkClosedError);
    expect(taken).toBeLessThan(bytes.length);
  });

  it('lists every complete archive with when it was written, and nothing being written', async () => {
    const before = Date.now() - 60_000;
    await driver.write('inst-l/b-1.tgz', writeBytes(Buffer.from('one')));
    await driver.write('inst-m/b-2.tgz', writeBytes(Buffer.from('two')));
    const source = new PassThrough();
    const writing = driver.write('inst-l/b-3.tgz', (sink) => pipeline(source, sink));
    source.write(randomBytes(1024));
    const listed: Array<{ key: string; modifiedAt: Date }> = [];
    for await (const page of driver.list()) listed.push(...page);
    source.end();
    await writing;
    const ours = listed.filter((o) => /^inst-[lm]\//.test(o.key));
    expect(ours.map((o) => o.key).sort()).toEqual(['inst-l/b-1.tgz', 'inst-m/b-2.tgz']);
    for (const o of ours) expect(o.modifiedAt.getTime()).toBeGreaterThan(before);
  });

  it('probe says the store is usable', async () => {
    await expect(driver.probe()).resolves.toBeUndefined();
  });

  it.each(['../escape', '/abs', 'a/../b', 'a//b', '.hidden'])(
    'refuses the unsafe key %s',
    async (key) => {
      await expect(driver.stat(key)).rejects.toThrow(/unsafe storage key/);
    },
  );
});
