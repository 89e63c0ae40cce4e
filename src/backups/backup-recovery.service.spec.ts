import type { Queue } from 'bullmq';
import type { BackupRunner } from './backup-runner.service';
import type { BackupsRepository, UnfinishedBackup } from './backups.repository';
import type { Clock } from '../core/clock/clock';
import type { AppConfig } from '../core/config/app-config';
import { BackupRecoveryService } from './backup-recovery.service';
import { backupJobId } from '../jobs/queue.contract';

const NOW = new Date('2026-11-30T12:00:00Z');
const backup = (
  name: string,
  status: 'queued' | 'running',
  heartbeatFresh: boolean,
  ageMs = 5 * 60_000,
): UnfinishedBackup => ({
  pk: BigInt(name.length),
  backupId: `inst-${name}`,
  instanceId: 'inst',
  status,
  triggeredAt: new Date(NOW.getTime() - ageMs),
  heartbeatFresh,
});

/** The sweep over one backup, with a job in `jobState` (or none); what it did. */
async function sweepOne(b: UnfinishedBackup, jobState: string | null) {
  const failed: bigint[] = [];
  const added: string[] = [];
  const queue = {
    getJob: (id: string) =>
      Promise.resolve(
        jobState && id === backupJobId(b.backupId)
          ? { getState: () => Promise.resolve(jobState) }
          : undefined,
      ),
    add: (_name: string, _data: unknown, opts: { jobId: string }) => {
      added.push(opts.jobId);
      return Promise.resolve();
    },
  } as unknown as Queue;
  const backups = { listUnfinished: () => Promise.resolve([b]) } as unknown as BackupsRepository;
  const runner = {
    fail: (pk: bigint) => {
      failed.push(pk);
      return Promise.resolve();
    },
  } as unknown as BackupRunner;
  const clock: Clock = { now: () => NOW };
  const config = { upstreamTimeoutMs: 5000 } as AppConfig;
  await new BackupRecoveryService(queue, backups, runner, clock, config).sweep();
  return { failed: failed.length > 0, requeued: added.length > 0 };
}

describe('the recovery sweep', () => {
  it.each([
    [
      'a running backup with a fresh heartbeat, its job gone (Redis came back empty)',
      backup('a', 'running', true),
      null,
      false,
      false,
    ],
    [
      'a running backup with a fresh heartbeat, its job failed',
      backup('b', 'running', true),
      'failed',
      false,
      false,
    ],
    [
      'a running backup, heartbeat stopped, its job active (stalled check is BullMQ’s)',
      backup('c', 'running', false),
      'active',
      false,
      false,
    ],
    [
      'a running backup, heartbeat stopped, its job gone',
      backup('d', 'running', false),
      null,
      true,
      false,
    ],
    [
      'a running backup, heartbeat stopped, its job completed',
      backup('e', 'running', false),
      'completed',
      true,
      false,
    ],
    ['a queued backup whose job is waiting', backup('f', 'queued', false), 'waiting', false, false],
    ['a queued backup whose job failed', backup('g', 'queued', false), 'failed', true, false],
    [
      'a queued backup whose job never reached Redis',
      backup('h', 'queued', false),
      null,
      false,
      true,
    ],
    [
      'a queued backup, no job yet, still within the grace period',
      backup('i', 'queued', false, 10_000),
      null,
      false,
      false,
    ],
  ])('%s', async (_what, b, jobState, fails, requeues) => {
    expect(await sweepOne(b, jobState)).toEqual({ failed: fails, requeued: requeues });
  });
});
