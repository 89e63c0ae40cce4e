import { randomUUID } from 'node:crypto';
import {
  Dirent,
  close as closeFd,
  constants,
  createWriteStream,
  lstatSync,
  open as openCallback,
  unlinkSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { access, link, mkdir, open, readdir, rename, stat, statfs, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { copyFileRange } from './file-range-copy';
import {
  ByteRange,
  DeleteManyResult,
  LIST_PAGE_SIZE,
  ObjectExistsError,
  RangeReader,
  StorageDriver,
  StoredObject,
  WriteOptions,
  assertSafeKey,
} from './storage-driver';

const PARTIAL_MARK = '.partial-';
/** How long deleteMany unlinks before it lets other work run (heartbeats, other jobs). */
const UNLINK_SLICE_MS = 10;
const openFd = promisify(openCallback);

/**
 * Archives as files under one directory. A write goes to a hidden temporary file next to its
 * target, is fsynced, then renamed (or, create-only, linked) into place, so a reader never sees
 * half an archive and a crash leaves at most a `.<name>.partial-<uuid>` file that removePartials() cleans up.
 */
export class FsStorageDriver implements StorageDriver {
  private readonly root: string;

  /** `minFreeBytes`: probe() fails while the file system has less room than this */
  constructor(
    root: string,
    private readonly minFreeBytes = 0,
  ) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, key);
  }

  async write(
    key: string,
    produce: (sink: Writable) => Promise<void>,
    { createOnly = false }: WriteOptions = {},
  ): Promise<void> {
    const target = this.path(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${basename(target)}${PARTIAL_MARK}${randomUUID()}`);
    // `flush` fsyncs the file before the stream reports that it closed
    const sink = createWriteStream(temp, {
      flags: 'wx',
      mode: 0o600,
      flush: true,
      highWaterMark: 1024 * 1024,
    });
    try {
      await produce(sink);
      if (!sink.closed)
        await new Promise<void>((done, fail) =>
          sink.once('close', () => done()).once('error', fail),
        );
      if (createOnly) {
        // a hard link fails when the name exists, where a rename would replace that file
        await link(temp, target).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? new ObjectExistsError(key) : err;
        });
        await unlink(temp);
      } else {
        await rename(temp, target);
      }
      await syncDirectory(dir);
    } catch (err) {
      // wait for the file to be closed (or its pending open to finish) before removing it
      if (!sink.closed)
        await new Promise<void>((done) => sink.once('close', () => done()).destroy());
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async openRange(key: string, range: ByteRange): Promise<RangeReader> {
    const fd = await openFd(this.path(key), 'r');
    let open = true;
    const close = () => {
      if (open) closeFd(fd, () => undefined);
      open = false;
    };
    return {
      copyTo: async (sink) => {
        try {
          await copyFileRange(fd, range, sink);
        } finally {
          close();
        }
      },
      close,
    };
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.path(key))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await unlink(this.path(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /**
   * Unlinks one file after the other without the thread pool: a pass that removes 500,000
   * archives spends about 5 µs on each (a promise per file costs 20 µs), and yields every
   * UNLINK_SLICE_MS so the process stays responsive. An archive already gone is looked up, not
   * unlinked: the error a failed unlink throws costs five times the lookup, which throws only
   * when the file could not be looked up at all (say, a directory it may not read: that archive
   * is among those that failed).
   */
  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    const paths = keys.map((key) => this.path(key)); // every key checked before any unlink
    const failed: string[] = [];
    let error: string | undefined;
    let sliceStart = Date.now();
    for (let i = 0; i < paths.length; i++) {
      try {
        if (lstatSync(paths[i], { throwIfNoEntry: false })) unlinkSync(paths[i]);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          failed.push(keys[i]);
          error ??= (err as Error).message;
        }
      }
      if (Date.now() - sliceStart >= UNLINK_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = Date.now();
      }
    }
    return { failed, error };
  }

  /** The directory exists, is writable, and its file system has minFreeBytes free. */
  async probe(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
    const fs = await statfs(this.root, { bigint: true });
    const free = fs.bavail * fs.bsize;
    if (free < BigInt(this.minFreeBytes)) {
      throw new Error(
        `${this.root} has ${free} bytes free, less than STORAGE_MIN_FREE_BYTES (${this.minFreeBytes}): backups would fail for want of room`,
      );
    }
  }

  /** Archives are `<root>/<instance id>/<name>`; hidden (partial) files are not listed. */
  async *list(): AsyncIterable<StoredObject[]> {
    let page: StoredObject[] = [];
    for (const dir of await readdirIfAny(this.root)) {
      if (!dir.isDirectory() || dir.name.startsWith('.')) continue;
      for (const file of await readdirIfAny(join(this.root, dir.name))) {
        if (!file.isFile() || file.name.startsWith('.')) continue;
        const key = `${dir.name}/${file.name}`;
        const info = await stat(join(this.root, key)).catch(() => null);
        if (!info) continue; // removed meanwhile
        page.push({ key, modifiedAt: info.mtime });
        if (page.length === LIST_PAGE_SIZE) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  async removePartials(key: string): Promise<void> {
    const target = this.path(key);
    const prefix = `.${basename(target)}${PARTIAL_MARK}`;
    let names: string[];
    try {
      names = await readdir(dirname(target));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await Promise.all(
      names
        .filter((n) => n.startsWith(prefix))
        .map((n) => unlink(join(dirname(target), n)).catch(() => undefined)),
    );
  }
}

async function readdirIfAny(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
