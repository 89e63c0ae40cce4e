import type { Readable } from 'node:stream';
import type { InstanceType } from '../generated/prisma/client';

/**
 * Produces the dump of one instance as a stream. The stream ends only when the dump tool
 * exited successfully; any failure (non-zero exit, bad credentials, unreachable host) makes it
 * error with a DumpFailedError instead, so a failed dump can never be stored as complete.
 */
export interface DumpEngine {
  readonly type: InstanceType;
  dump(connectionUrl: string): Readable;
  /**
   * Makes the instance's data equal to the dump read from `input` (what dump() produced).
   * Rejects when the tool or the input fails; see each engine for what the target holds then.
   */
  restore(connectionUrl: string, input: Readable): Promise<void>;
}

/** A dump that cannot succeed by retrying as it is; the message names no secret. */
export class DumpFailedError extends Error {}
