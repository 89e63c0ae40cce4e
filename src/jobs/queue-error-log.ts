import type { Logger } from '@nestjs/common';

/** The same error again within this long is not logged again (Redis down: one per retry). */
const REPEAT_QUIET_MS = 30_000;

/**
 * Logs the 'error' events of a BullMQ queue or worker as JSON lines. Without a listener they
 * are printed by BullMQ as plain multi-line stack traces (and an EventEmitter without one
 * would throw). Repeats of the same error are logged once per 30 s.
 */
export function logQueueErrors(
  emitter: { on(event: 'error', listener: (err: Error) => void): unknown },
  logger: Logger,
  source: string,
  /** what the queue's jobs run, as the lost-job warning names it */
  record: 'backup' | 'restore' | 'verification' | 'maintenance',
): void {
  let last = '';
  let lastAt = 0;
  emitter.on('error', (err: Error) => {
    const now = Date.now();
    if (err.message === last && now - lastAt < REPEAT_QUIET_MS) return;
    last = err.message;
    lastAt = now;
    logger.warn({ msg: `${source}: ${explain(err.message, record)}`, error: err.message });
  });
}

function explain(message: string, record: string): string {
  if (message.startsWith('Missing key for job'))
    return `a job vanished from Redis while it ran (Redis restarted without its data?); ${
      record === 'maintenance'
        ? 'the schedule and the hourly pass plan their work again on their own'
        : `its ${record} is recorded in the database`
    }`;
  if (/ECONNREFUSED|ETIMEDOUT|ECONNRESET|Connection is closed/.test(message))
    return 'Redis cannot be reached; reconnecting';
  return 'queue error';
}
