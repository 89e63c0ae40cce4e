import type { Logger } from '@nestjs/common';

/** How often a worker's recovery sweeps run. */
export const SWEEP_EVERY_MS = 60_000;
/** A queued record younger than this may still be on its way into the queue. */
export const ENQUEUE_GRACE_MS = 60_000;

const LIVE_JOB_STATES = new Set([
  'active',
  'waiting',
  'waiting-children',
  'delayed',
  'prioritized',
]);

/** True for a job state in which a worker has the job or will take it. */
export const isLiveJobState = (state: string) => LIVE_JOB_STATES.has(state);

/**
 * Runs a recovery sweep now and every SWEEP_EVERY_MS, logging (not throwing) its failures: a
 * sweep that fails because Redis or the database is away runs again a minute later. Returns
 * the function that stops it.
 */
export function sweepEveryMinute(
  sweep: () => Promise<void>,
  logger: Logger,
  what: string,
): () => void {
  const run = () => {
    sweep().catch((err: Error) => logger.warn({ msg: `${what} failed`, error: err.message }));
  };
  run();
  const timer = setInterval(run, SWEEP_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
