import type { INestApplicationContext } from '@nestjs/common';
import { Clock } from '../../src/core/clock/clock';
import { createWorker } from '../../src/worker.factory';
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
