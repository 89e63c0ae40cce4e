import type { Writable } from 'node:stream';

/** An inclusive byte range, as in HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where archives live. Keys are relative paths such as `<instance id>/<backup id>.tgz`.
 * Drivers: `fs` (a directory) and `s3` (any S3-compatible object store).
 */
export interface StorageDriver {
  /**
   * Stores an object atomically: `produce` writes the bytes into the sink it is given, and the
   * object becomes visible under `key` only after `produce` resolved and the bytes are durable.
   * When `produce` rejects, nothing is left behind and the error is rethrown.
   */
  write(
    key: string,
    produce: (sink: Writable) => Promise<void>,
    options?: WriteOptions,
  ): Promise<void>;
  /**
   * Opens `range` of the object for reading. Rejects when there is no such object, so that a
   * caller can still answer with an error before it has sent a byte.
   */
  openRange(key: string, range: ByteRange): Promise<RangeReader>;
  /** The object's size, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the object; removing one that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Removes these objects, as many at once as the store allows (a retention pass removes
   * hundreds of thousands); one already gone is not an error. Resolves with the keys it could
   * not remove and the first reason; rejects only when `keys` holds an unsafe key.
   */
  deleteMany(keys: string[]): Promise<DeleteManyResult>;
  /**
   * Every complete object under the driver's root or prefix, a page at a time, with the time
   * it was written; for finding archives that no backup owns. Partial writes are not listed.
   */
  list(): AsyncIterable<StoredObject[]>;
  /** Removes what a process that died while writing `key` left behind. */
  removePartials(key: string): Promise<void>;
  /**
   * Checks that archives can be stored: the directory exists and is writable, or the bucket
   * answers to these credentials. Rejects with a reason that names no secret.
   */
  probe(): Promise<void>;
}

export interface WriteOptions {
  /**
   * Create the object only if nothing is stored under its key yet, atomically (fs: the file is
   * linked into place, which fails when the name exists; S3: a conditional put, `If-None-Match:
   * *`): the write then rejects with ObjectExistsError and what is stored stays as it was.
   */
  createOnly?: boolean;
}

/** A create-only write found an object under its key already; that object was not touched. */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`an object is already stored under ${key}; it was not overwritten`);
  }
}

export interface DeleteManyResult {
  failed: string[];
  /** why the first of `failed` was not removed */
  error?: string;
}

export interface StoredObject {
  key: string;
  modifiedAt: Date;
}

/** How many objects one page of list() holds at most. */
export const LIST_PAGE_SIZE = 1000;

/** One opened byte range of a stored object; read it once with copyTo, or close it. */
export interface RangeReader {
  /**
   * Writes exactly the range's bytes into `sink`, which it does not end, and closes the reader.
   * Resolves once the sink has taken the last byte. Rejects when the object turns out shorter,
   * storage fails, or the sink closes first (SinkClosedError); the sink may then have part of
   * the range. Drivers may re-use a chunk's memory once the sink's write callback fired, so the
   * sink must be done with a chunk by then: a socket or a file stream is; a PassThrough is not
   * (it hands the very same buffer on).
   */
  copyTo(sink: Writable): Promise<void>;
  /** Releases the object without reading it; closing twice is harmless. */
  close(): void;
}

/** The sink closed (for a download: the client hung up) before the whole range was written. */
export class SinkClosedError extends Error {
  constructor() {
    super('the receiving stream closed before the whole range was written');
  }
}

/** The storage backend did not answer in time. */
export class StorageTimeoutError extends Error {}

export const STORAGE_DRIVER = Symbol('StorageDriver');

/** Keys are plain relative paths: no absolute paths, no `..`, no empty segments. */
export function assertSafeKey(key: string): void {
  const segments = key.split('/');
  if (
    key.startsWith('/') ||
    segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))
  ) {
    throw new Error(`unsafe storage key "${key}"`);
  }
}
