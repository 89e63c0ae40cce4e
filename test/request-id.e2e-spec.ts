import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

describe('request ids', () => {
  let t: TestApp;
  let worker: TestWorker;
  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const linesWith = (id: string) =>
    t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === id);

  it('takes X-Request-Id, echoes it, logs it and carries it into the job it queues', async () => {
    const inst = await registerInstance(t);
    const id = 'trace-4f1c-backup';
    const res = await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .set('X-Request-Id', id)
      .expect(202);
    expect(res.headers['x-request-id']).toBe(id);
    await waitForBackup(t, inst.id, inst.token, 1);
    const lines = linesWith(id);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'request', method: 'POST', status: 202 }),
        expect.objectContaining({ msg: 'backup started' }),
      ]),
    );
  });

  it('makes one when none (or an unusable one) is given', async () => {
    const made = await t.http.get('/health/live').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.http
      .get('/health/live')
      .set('X-Request-Id', 'has spaces <and> "quotes"')
      .expect(200);
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(linesWith(made.headers['x-request-id'])).toEqual([
      expect.objectContaining({ msg: 'request', path: '/health/live' }),
    ]);
  });
});
