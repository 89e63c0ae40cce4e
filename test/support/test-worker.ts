import type { INestApplicationContext } from '@nestjs/common';
import { Clock } from '../../src/core/clock/clock';
import { createWorker } from '../../src/worker.factory';
import { waitFor } from './processes';
import { TestApp, capturingLogger } from './test-app';

export interface TestWorker {
  worker: INestApplicationContext;
  close(): Promise<void>;
}

/** The real worker, in this process, on the same database, queue and storage as `t`. */
export async function startTestWorker(t: TestApp, clock?: Clock): Promise<TestWorker> {
  const worker = await createWorker(t.config, capturingLogger(t.logs), clock);
  return { worker, close: () => worker.close() };
}

/** Polls a backup over HTTP until it reaches one of `statuses`. */
export async function waitForBackup(
  t: TestApp,
  instanceId: string,
  token: string,
  id: number,
  statuses: string[] = ['done', 'failed'],
  timeoutMs = 120000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http
      .get(`/v1/instances/${instanceId}/backups/${id}`)
      .set('Authorization', `Bearer ${token}`);
    if (res.status === 200 && statuses.includes(res.body.status)) return res.body;
    if (Date.now() > deadline)
      throw new Error(`backup ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls a restore over HTTP until it ended (done or failed). */
export async function waitForRestore(
  t: TestApp,
  inst: { id: string; token: string },
  id: number,
  timeoutMs = 120000,
): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const r = await t.http
        .get(`/v1/instances/${inst.id}/restores/${id}`)
        .set('Authorization', `Bearer ${inst.token}`);
      return ['done', 'failed'].includes(r.body.status)
        ? (r.body as Record<string, unknown>)
        : null;
    },
    timeoutMs,
    `restore ${id} to end`,
  );
}

/** Restores backup `backupId` of the instance (202 expected) and waits for the restore to end. */
export async function restoreAndWait(
  t: TestApp,
  inst: { id: string; token: string },
  backupId: number,
): Promise<Record<string, unknown>> {
  const res = await t.http
    .post(`/v1/instances/${inst.id}/restores`)
    .set('Authorization', `Bearer ${inst.token}`)
    .send({ backup_id: backupId })
    .expect(202);
  return waitForRestore(t, inst, (res.body as { id: number }).id);
}
