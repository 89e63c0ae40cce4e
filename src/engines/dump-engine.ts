import type { Readable } from 'node:stream';
import type { InstanceType } from '../generated/prisma/client';
import type { CheckOptions, ConnectionCheckResult } from './connection-check';

/**
 * Produces the dump of one instance as a stream. The stream ends only when the dump tool
 * exited successfully; any failure (non-zero exit, bad credentials, unreachable host) makes it
 * error with a DumpFailedError instead, so a failed dump can never be stored as complete.
 */
export interface DumpEngine {
  readonly type: InstanceType;
  /** Rejects with DumpFailedError when the dump cannot start (e.g. no tool fits the server). */
  dump(connectionUrl: string): Promise<Readable>;
  /**
   * Makes the instance's data equal to the dump read from `input` (what dump() produced).
   * Rejects when the tool or the input fails; see each engine for what the target holds then.
   */
  restore(connectionUrl: string, input: Readable, options?: RestoreOptions): Promise<void>;
  /**
   * True when a restore is one transaction that commits only after `beforeCommit` resolved:
   * the archive can then be verified while it is applied instead of before.
   */
  readonly transactionalRestore: boolean;
  /**
   * Base backups only: where the server's write-ahead log stands now, asked just before dump().
   * The backup starts at or after it, so a restore to a later moment replays the archived WAL
   * from the segment holding it.
   */
  walPosition?(connectionUrl: string): Promise<string>;
  /**
   * Connects as dump() would and says, step by step, what works: reachable, authenticated, the
   * server's version, the privileges the dump needs. Never rejects; bounded by the timeout.
   */
  check(connectionUrl: string, options: CheckOptions): Promise<ConnectionCheckResult>;
}

export interface RestoreOptions {
  /** awaited after the whole input was read and before anything is committed; may reject */
  beforeCommit?: () => Promise<void> | void;
  /** base backups only: replay archived WAL on top of the backup before moving the data */
  recovery?: RecoveryOptions;
}

/** How a restore from a base backup goes on to a later moment. */
export interface RecoveryOptions {
  /**
   * Writes, into `dir`, each archived WAL segment the recovery needs, decrypted, under its own
   * name; rejects (naming the segment) when one is missing or damaged. Called before the
   * server starts.
   */
  fetchWal(dir: string): Promise<void>;
  /** stop at the last commit at or before this moment; absent: replay all that was fetched */
  targetTime?: Date;
}

/** A dump that cannot succeed by retrying as it is; the message names no secret. */
export class DumpFailedError extends Error {}
