import type { Readable, Writable } from 'node:stream';

/** An inclusive byte range, as in HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where archives live. Keys are relative paths such as `<instance id>/<backup id>.tgz`.
 * Drivers: `fs` (a directory) and, later, `s3`.
 */
export interface StorageDriver {
  /**
   * Stores an object atomically: `produce` writes the bytes into the sink it is given, and the
   * object becomes visible under `key` only after `produce` resolved and the bytes are durable.
   * When `produce` rejects, nothing is left behind and the error is rethrown.
   */
  write(key: string, produce: (sink: Writable) => Promise<void>): Promise<void>;
  /** The object's bytes, or only those of `range`. Rejects when there is no such object. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** The object's size, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the object; removing one that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /** Removes what a process that died while writing `key` left behind. */
  removePartials(key: string): Promise<void>;
}

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
