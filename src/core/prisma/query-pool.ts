import type { Pool } from 'pg';
import { DatabaseUnavailableError, UNAVAILABLE_MESSAGES } from './prisma-errors';

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * Runs a query on the pool under the Prisma client, turning "the database is away" (the
 * socket's errors, SQLSTATE 08xxx/57P0x, the pool's own timeout) into DatabaseUnavailableError,
 * so it is answered 503 like the same failure through Prisma.
 */
export async function queryPool<R extends object>(
  pool: Pool,
  text: string,
  values: unknown[],
): Promise<R[]> {
  try {
    return (await pool.query<R>(text, values)).rows;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (
      (typeof code === 'string' && (SOCKET_CODES.has(code) || /^(08|57P0)/.test(code))) ||
      (err instanceof Error && UNAVAILABLE_MESSAGES.test(err.message))
    ) {
      throw new DatabaseUnavailableError((err as Error).message);
    }
    throw err;
  }
}
