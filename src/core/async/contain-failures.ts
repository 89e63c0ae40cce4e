import { AsyncLocalStorage } from 'node:async_hooks';

/** How the containing work is made to fail: the reject of the promise containFailures returned. */
const containing = new AsyncLocalStorage<(err: unknown) => void>();

/**
 * Runs `work` so that an error nothing caught anywhere inside it — a stream that errors with no
 * listener, a throw in a timer or a child process's event — rejects the returned promise
 * instead of ending the process: the job that ran it fails with the real reason, and the
 * worker goes on with its other jobs. The process's handlers call failContainingWork; the
 * context follows every callback and promise that `work` starts.
 */
export function containFailures<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    containing.run(reject, () => {
      work().then(resolve, reject);
    });
  });
}

/**
 * Fails the work that `err` was thrown in, when it runs inside containFailures; false when it
 * does not (the error then belongs to the process itself).
 */
export function failContainingWork(err: unknown): boolean {
  const fail = containing.getStore();
  if (!fail) return false;
  fail(err);
  return true;
}
