import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { StorageDriver } from './storage-driver';

/** A whole stored object as its record names it. */
export interface StoredObject {
  storageKey: string | null;
  size: bigint;
}

/** Copies a whole stored object into `sink` (which it does not end). */
export async function copyStored(
  storage: StorageDriver,
  object: StoredObject,
  sink: Writable,
): Promise<void> {
  const reader = await storage.openRange(object.storageKey!, {
    start: 0,
    end: Number(object.size) - 1,
  });
  await reader.copyTo(sink);
}

/** The SHA-256 of a whole stored object, read once. */
export async function storedSha256(storage: StorageDriver, object: StoredObject): Promise<string> {
  const hash = createHash('sha256');
  await copyStored(
    storage,
    object,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return hash.digest('hex');
}
