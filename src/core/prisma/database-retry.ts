import type { LoggerService } from '@nestjs/common';
import { isDatabaseUnavailable } from './prisma-errors';

export interface DatabaseRetryOptions {
  /** what is being recorded, for the log */
  what: string;
  logger: Pick<LoggerService, 'warn' | 'log'>;
  /** give up (rethrow) after this long; 10 minutes by default */
  maxMs?: number;
  /** first pause between tries; doubles up to 10 s */
  firstDelayMs?: number;
}

/**
 * Runs `work` and, while it fails because the database is away (restart, failover, overload),
 * runs it again with back-off until it succeeds or `maxMs` passed. Any other error is
 * rethrown at once. For writes whose loss would cost real work, such as recording that a
 * finished archive is done; `work` must be safe to run twice.
 */
export async function retryWhileDatabaseUnavailable<T>(
  work: () => Promise<T>,
  { what, logger, maxMs = 10 * 60_000, firstDelayMs = 1000 }: DatabaseRetryOptions,
): Promise<T> {
  const started = Date.now();
  let delay = firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await work();
      if (attempt > 1) logger.log({ msg: 'database reachable again', what, attempts: attempt });
      return result;
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() - started + delay > maxMs) throw err;
      logger.warn({
        msg: 'database unavailable, trying again',
        what,
        attempt,
        retryInMs: delay,
        error: lastLine(err),
      });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

function lastLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  ).slice(0, 300);
}
