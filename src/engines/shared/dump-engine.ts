import type { Readable } from 'node:stream';
import type { InstanceType } from '../../generated/prisma/client';
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
   * from the segment holding it; the instance's replication slot holds that WAL on the server
   * from then on (made now when no receiver has made it yet).
   */
  walPosition?(connectionUrl: string, instanceId: string): Promise<string>;
  /**
   * A counter of what the dump holds (e.g. the rows of each table), fed the dump's bytes as they
   * stream to storage; absent where the format gives nothing exact to count.
   */
  contentCounter?(): ContentCounter;
  /**
   * Restores the dump read from `input` into a scratch server of its own (private, on a unix
   * socket, removed afterwards; never the instance) and says what that server then held.
   * Rejects when the input fails or nothing could be restored.
   */
  restoreIntoScratch(input: Readable, target: ScratchTarget): Promise<ScratchInventory>;
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
  /**
   * base backups only: the connection URL of the instance the backup was taken from (a fork's
   * source), whose database and user name what is read from the backup's own server; the
   * target's URL when absent
   */
  sourceConnectionUrl?: string;
}

/** How a restore from a base backup goes on to a later moment. */
export interface RecoveryOptions {
  /**
   * Writes, into `dir`, each archived WAL segment the recovery needs, decrypted, under its own
   * name; rejects (naming the segment) when one is missing or damaged. Called before the
   * server starts.
   */
  fetchWal(dir: string): Promise<void>;
  /**
   * stop at the last commit at or before this moment (RFC 3339 in UTC, to the microsecond);
   * absent: replay all that was fetched
   */
  targetTime?: string;
}

/** Counts what a dump holds while it streams by, without a query on the instance. */
export interface ContentCounter {
  /** each chunk of the dump, in order; it is neither kept nor changed */
  see(chunk: Buffer): void;
  /** what the dump held, once it has ended */
  tables(): TableCount[];
}

/** A table as the dump names it, and how many rows the dump holds of it. */
export interface TableCount {
  table: string;
  rows: number;
}

/** What a scratch restore needs to know of the instance: names only, never a connection. */
export interface ScratchTarget {
  /** the instance's connection URL: its database and user name the restored objects */
  connectionUrl: string;
  /**
   * Throws when the archive read so far is damaged; called once all of it was read and before
   * a server is started on it (where the engine starts one on the archive itself)
   */
  checkArchive?: () => void;
  /**
   * base backups whose log the engine replays in the scratch server (MariaDB): the archived
   * log from the backup on, replayed after the dump is loaded and counted
   */
  recovery?: RecoveryOptions;
}

/** What a scratch server held after a backup was restored into it. */
export interface ScratchInventory {
  /** each table (Redis: each logical database, `db0`…) and its rows (Redis: keys) */
  tables: TableCount[];
  /** the source held data (e.g. an RDB with a database in it): an empty result is a failure */
  sourceHeldData?: boolean;
  /** with `recovery`: each table and its rows once the archived log was replayed */
  replayed?: TableCount[];
}

/** A dump that cannot succeed by retrying as it is; the message names no secret. */
export class DumpFailedError extends Error {}
