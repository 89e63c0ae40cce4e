import type { Logger } from '@nestjs/common';

/** How often the worker running a backup or restore says so in the database. */
export const HEARTBEAT_EVERY_MS = 10_000;
/** A running backup or restore whose heartbeat is younger than this has a live worker. */
export const HEARTBEAT_FRESH_SECONDS = 60;

/**
 * Calls `beat` every HEARTBEAT_EVERY_MS until the returned function is called. A beat that
 * fails (the database is away for a moment) is logged and the next one tries again.
 */
export function startHeartbeat(
  beat: () => Promise<void>,
  logger: Logger,
  fields: Record<string, string>,
): () => void {
  const timer = setInterval(() => {
    beat().catch((err: Error) =>
      logger.warn({
        msg: 'heartbeat not recorded',
        ...fields,
        error: err.message.split('\n').pop(),
      }),
    );
  }, HEARTBEAT_EVERY_MS);
  return () => clearInterval(timer);
}
