import type { JobsOptions, Queue } from 'bullmq';
import { withTimeout } from '../core/async/with-timeout';
import { UpstreamError, UpstreamTimeoutError } from '../core/errors/domain-errors';

/** A job as the queue contract builds it. */
export interface QueuedJob {
  name: string;
  data: object;
  opts: JobsOptions;
}

/**
 * The one way a job is added to a queue, by the API and by the workers alike: bounded by
 * `timeoutMs` (UPSTREAM_TIMEOUT_MS), so no request or sweep hangs on Redis. Throws
 * UpstreamError when Redis refuses or errs and UpstreamTimeoutError when it does not answer in
 * time; `what` names the job in the message ("no backup was queued"). Every job carries a
 * deterministic id, so adding it again after a timeout is harmless.
 */
export async function addJob(
  queue: Queue,
  job: QueuedJob,
  what: string,
  timeoutMs: number,
): Promise<void> {
  try {
    await withTimeout(
      queue.add(job.name, job.data, job.opts),
      timeoutMs,
      () =>
        new UpstreamTimeoutError(
          `The job queue (Redis) did not answer in time; no ${what} was queued.`,
        ),
    );
  } catch (err) {
    if (err instanceof UpstreamTimeoutError) throw err;
    throw new UpstreamError(`The job queue (Redis) answered with an error; no ${what} was queued.`);
  }
}
