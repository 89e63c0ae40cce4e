import type { WorkerPresence } from '../workers/worker-presence.service';
import { Job, UnrecoverableError } from 'bullmq';
import { BackupNotRunnableError, type BackupRunner } from './backup-runner.service';
import type { AppConfig } from '../core/config/app-config';
import { DumpFailedError } from '../engines/shared/dump-engine';
import type { RetentionService } from '../retention/retention.service';
import { BackupProcessor } from './backup.processor';
import type { RunBackupPayload } from '../jobs/queue.contract';

const job = (attemptsMade: number) =>
  ({
    data: { backupPk: '7', backupId: 'inst-1', instanceId: 'inst' },
    attemptsMade,
    opts: { attempts: 3 },
  }) as unknown as Job<RunBackupPayload>;

/** The processor over a runner that fails (or not) with `error`; what it did. */
async function processWith(error: Error | null, attemptsMade = 0) {
  const calls = { failed: [] as string[], pruned: 0 };
  const runner = {
    run: () => (error ? Promise.reject(error) : Promise.resolve()),
    fail: (_pk: bigint, reason: string) => {
      calls.failed.push(reason);
      return Promise.resolve();
    },
  } as unknown as BackupRunner;
  const retention = {
    prune: () => {
      calls.pruned++;
      return Promise.resolve(0);
    },
  } as unknown as RetentionService;
  const presence = { tookJob: () => undefined } as unknown as WorkerPresence;
  const processor = new BackupProcessor(runner, {} as AppConfig, retention, presence);
  const outcome = await processor.process(job(attemptsMade)).then(
    () => 'done',
    (err: Error) => (err instanceof UnrecoverableError ? 'given up' : 'retried'),
  );
  return { outcome, ...calls };
}

describe('the backup processor: retry or give up', () => {
  it('a backup that ran is followed by retention', async () => {
    expect(await processWith(null)).toEqual({ outcome: 'done', failed: [], pruned: 1 });
  });

  it.each([
    [
      'a dump that failed (bad credentials, unreachable host)',
      new DumpFailedError('pg_dump: denied'),
    ],
    ['an instance deregistered before it ran', new BackupNotRunnableError('deregistered')],
  ])('%s fails the backup at once, whatever attempts are left', async (_what, err) => {
    expect(await processWith(err, 0)).toEqual({
      outcome: 'given up',
      failed: [err.message],
      pruned: 1,
    });
  });

  it('anything else is tried again while attempts are left, and fails the backup on the last', async () => {
    const storage = new Error('storage hiccup');
    expect(await processWith(storage, 0)).toEqual({ outcome: 'retried', failed: [], pruned: 0 });
    expect(await processWith(storage, 1)).toEqual({ outcome: 'retried', failed: [], pruned: 0 });
    expect(await processWith(storage, 2)).toEqual({
      outcome: 'given up',
      failed: ['storage hiccup'],
      pruned: 1,
    });
  });
});
