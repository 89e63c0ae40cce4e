import type { Queue } from 'bullmq';
import { UpstreamError, UpstreamTimeoutError } from '../core/errors/domain-errors';
import { addJob } from './add-job';

const job = { name: 'run-backup', data: {}, opts: { jobId: 'backup-x' } };
const queueThat = (add: () => Promise<unknown>) => ({ add }) as unknown as Queue;

describe('addJob, the one enqueue path', () => {
  afterEach(() => jest.useRealTimers());

  it('adds the job with its id and options', async () => {
    const seen: unknown[] = [];
    const queue = {
      add: (...args: unknown[]) => {
        seen.push(args);
        return Promise.resolve();
      },
    } as unknown as Queue;
    await addJob(queue, job, 'backup', 1000);
    expect(seen).toEqual([['run-backup', {}, { jobId: 'backup-x' }]]);
  });

  it('names the job in a 502 when Redis errs', async () => {
    const failing = queueThat(() => Promise.reject(new Error('READONLY')));
    await expect(addJob(failing, job, 'restore', 1000)).rejects.toThrow(UpstreamError);
    await expect(addJob(failing, job, 'restore', 1000)).rejects.toThrow(/no restore was queued/);
  });

  it('gives up with a 504 when Redis does not answer within the timeout', async () => {
    jest.useFakeTimers();
    const silent = queueThat(() => new Promise(() => undefined));
    const result = addJob(silent, job, 'backup', 5000);
    const settled = expect(result).rejects.toThrow(UpstreamTimeoutError);
    jest.advanceTimersByTime(4999);
    await Promise.resolve();
    jest.advanceTimersByTime(1);
    await settled;
  });
});
