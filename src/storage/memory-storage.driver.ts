import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  assertSafeKey,
  ByteRange,
  DeleteManyResult,
  LIST_PAGE_SIZE,
  ObjectExistsError,
  RangeReader,
  SinkClosedError,
  StorageDriver,
  StoredObject,
  WriteOptions,
} from './storage-driver';

/** How much of an object one write into a reader's sink carries. */
const CHUNK = 64 * 1024;

/**
 * Storage in the process's memory: for unit tests of what writes and reads archives (the WAL
 * shipper, say), held to the same contract as the fs and S3 drivers
 * (test/storage-drivers.e2e-spec.ts). Never configured for a running service.
 */
export class MemoryStorageDriver implements StorageDriver {
  private readonly objects = new Map<string, { bytes: Buffer; modifiedAt: Date }>();

  /** Every stored key, sorted. */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  /** The bytes stored under `key` (undefined: none). */
  bytes(key: string): Buffer | undefined {
    return this.objects.get(key)?.bytes;
  }

  async write(
    key: string,
    produce: (sink: Writable) => Promise<void>,
    options: WriteOptions = {},
  ): Promise<void> {
    assertSafeKey(key);
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
    await produce(sink);
    if (!sink.writableEnded) sink.end();
    await finished(sink);
    if (options.createOnly && this.objects.has(key)) throw new ObjectExistsError(key);
    this.objects.set(key, { bytes: Buffer.concat(chunks), modifiedAt: new Date() });
  }

  async openRange(key: string, range: ByteRange): Promise<RangeReader> {
    assertSafeKey(key);
    const object = await Promise.resolve(this.objects.get(key));
    if (!object) throw new Error(`no object is stored under ${key}`);
    if (range.start < 0 || range.end < range.start || range.end >= object.bytes.length) {
      throw new Error(
        `bytes ${range.start}-${range.end} are not within ${key} (${object.bytes.length} bytes)`,
      );
    }
    let open = true;
    const bytes = object.bytes.subarray(range.start, range.end + 1);
    return {
      copyTo: async (sink: Writable) => {
        try {
          for (let at = 0; at < bytes.length && open; at += CHUNK) {
            await writeChunk(sink, bytes.subarray(at, at + CHUNK));
          }
        } finally {
          open = false;
        }
      },
      close: () => {
        open = false;
      },
    };
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertSafeKey(key);
    const object = await Promise.resolve(this.objects.get(key));
    return object ? { size: object.bytes.length } : null;
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await Promise.resolve(this.objects.delete(key));
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    keys.forEach(assertSafeKey);
    for (const key of keys) await this.delete(key);
    return { failed: [], error: undefined };
  }

  async *list(): AsyncIterable<StoredObject[]> {
    const all = this.keys().map((key) => ({ key, modifiedAt: this.objects.get(key)!.modifiedAt }));
    for (let at = 0; at < all.length; at += LIST_PAGE_SIZE) {
      yield await Promise.resolve(all.slice(at, at + LIST_PAGE_SIZE));
    }
  }

  async removePartials(key: string): Promise<void> {
    // a write leaves nothing behind until it is whole
    await Promise.resolve(assertSafeKey(key));
  }

  probe(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes one chunk and waits until the sink has taken it; SinkClosedError when it closes first. */
function writeChunk(sink: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sink.destroyed || sink.writableEnded) return reject(new SinkClosedError());
    const closed = () => reject(new SinkClosedError());
    sink.once('close', closed);
    sink.write(chunk, (err) => {
      sink.off('close', closed);
      if (err) reject(new SinkClosedError());
      else resolve();
    });
  });
}
