import type { ByteProgress } from '../archive/byte-progress';

/** How often the worker running a backup or restore records how far it has come. */
export const PROGRESS_EVERY_MS = 1_000;

/**
 * Records `progress` with `record` every PROGRESS_EVERY_MS while it changes, until the returned
 * function is called; one report at a time, so figures never go back. A report that fails is
 * dropped: the next one carries newer figures, and the heartbeat already says when the database
 * is away.
 */
export function startProgress(
  progress: ByteProgress,
  record: (progress: ByteProgress) => Promise<void>,
): () => void {
  let last = '';
  let busy = false;
  const timer = setInterval(() => {
    const now = `${progress.read}/${progress.written}`;
    if (busy || now === last) return;
    busy = true;
    record({ ...progress })
      .then(() => (last = now))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}
