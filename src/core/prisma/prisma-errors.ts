import { Prisma } from '../../generated/prisma/client';

/** True when a write failed on a unique constraint (Prisma P2002). */
export function isUniqueViolation(err: unknown): err is Prisma.PrismaClientKnownRequestError {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2002') return true;
  // the same violation raised by a raw statement
  return err.code === 'P2010' && adapterCause(err)?.kind === 'UniqueConstraintViolation';
}

/**
 * True when the database refused a second backup or restore of an instance while one is queued
 * or running: the unique indexes (one active backup, one active restore) and the
 * trigger that keeps backups and restores of one instance apart (exclusion_violation).
 */
export function isInstanceBusy(err: unknown): boolean {
  return isUniqueViolation(err) || sqlState(err) === '23P01';
}

/**
 * True when the database refused a restore because its backup is no longer `done` (pruned or
 * deleted since it was read): the trigger `restores_hold_backup` raises BM422.
 */
export function isBackupNotRestorable(err: unknown): boolean {
  return sqlState(err) === 'BM422';
}

/** The SQLSTATE of an error a raw statement got from PostgreSQL, when there is one. */
function sqlState(err: unknown): string | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const cause = adapterCause(err);
  const code = cause?.originalCode ?? cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Prisma codes that say the database could not be reached or had no connection to spare. */
const UNAVAILABLE_CODES = new Set([
  'P1001', // can't reach the server
  'P1002', // the server was reached but timed out
  'P1008', // operation timed out
  'P1017', // the server closed the connection
  'P2024', // timed out fetching a connection from the pool
  'P2028', // a transaction could not start (or went on) in time
  'P2037', // too many connections
]);
/** What the driver adapter calls an outage. */
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/**
 * Errors of the pg driver and its pool that Prisma passes on as they are (a pool with no free
 * connection in time says "timeout exceeded when trying to connect"). Only the driver's own
 * wording: a storage or Redis error that mentions ECONNREFUSED is not the database's.
 */
export const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Can't reach database server|Client has encountered a connection error)/;

/**
 * True when a database call failed because the database is away, restarting or overloaded,
 * not because of the call itself: worth a 503 to a client, and worth another try to a worker.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (UNAVAILABLE_CODES.has(err.code)) return true;
    const cause = adapterCause(err);
    if (cause && UNAVAILABLE_KINDS.has(cause.kind)) return true;
    // SQLSTATE class 08 (connection exception), 57P0x (shutting down, cannot connect now)
    if (/^(08|57P0)/.test(sqlState(err) ?? '')) return true;
  }
  if (err instanceof Error) return UNAVAILABLE_MESSAGES.test(err.message);
  return false;
}

/** A query straight on the pool (not through Prisma) that could not reach the database. */
export class DatabaseUnavailableError extends Error {}

interface AdapterCause {
  kind: string;
  code?: unknown;
  originalCode?: unknown;
}

function adapterCause(err: Prisma.PrismaClientKnownRequestError): AdapterCause | undefined {
  const meta = err.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
  return meta?.driverAdapterError?.cause;
}
