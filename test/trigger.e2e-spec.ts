import type { INestApplication } from '@nestjs/common';
import IORedis from 'ioredis';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { backupJobId } from '../src/jobs/queue.contract';
import { RedisServer, startRedisServer } from './support/servers';
import { TestApp, registerInstance, startTestApp } from './support/test-app';

describe('POST /v1/instances/:instance_id/backups', () => {
  describe('with the queue up and no worker', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('100 simultaneous POSTs for one idle instance give exactly one 202 and 99 × 409', async () => {
      const inst = await registerInstance(t);
      const responses = await Promise.all(
        Array.from({ length: 100 }, () =>
          t.http
            .post(`/v1/instances/${inst.id}/backups`)
            .set('Authorization', `Bearer ${inst.token}`),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(99);
      const conflict = responses.find((r) => r.status === 409)!;
      expect(conflict.body).toStrictEqual({
        error: 'BackupInProgress',
        description: expect.stringContaining(inst.id),
      });
      expect(responses.find((r) => r.status === 202)!.body).toStrictEqual({
        id: 1,
        message: 'job to backup is queued',
      });
      expect(await t.prisma.backup.count({ where: { instanceId: inst.id } })).toBe(1);

      // the job is in the queue under the backup's id
      const row = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: inst.id } });
      const redis = new IORedis(t.config.redisUrl);
      expect(
        await redis.exists(`${t.config.queuePrefix}:backups:${backupJobId(row.backupId)}`),
      ).toBe(1);
      redis.disconnect();
    });

    it('numbers backups 1, 2, 3 per instance and never reuses a number', async () => {
      const a = await registerInstance(t);
      const b = await registerInstance(t);
      const post = (i: { id: string; token: string }) =>
        t.http
          .post(`/v1/instances/${i.id}/backups`)
          .set('Authorization', `Bearer ${i.token}`)
          .expect(202);
      expect((await post(a)).body.id).toBe(1);
      expect((await post(b)).body.id).toBe(1);
      // finish a's backup so that another may be queued
      await t.prisma.backupRow.updateMany({
        where: { instanceId: a.id },
        data: { status: 'failed' },
      });
      expect((await post(a)).body.id).toBe(2);
      await t.prisma.backupRow.deleteMany({ where: { instanceId: a.id, number: 2 } });
      await t.prisma.backupRow.updateMany({
        where: { instanceId: a.id },
        data: { status: 'failed' },
      });
      expect((await post(a)).body.id).toBe(3);
    });

    it('401 and 403 come before anything is queued', async () => {
      const inst = await registerInstance(t);
      await t.http.post(`/v1/instances/${inst.id}/backups`).expect(401);
      await t.http
        .post(`/v1/instances/unknown-one/backups`)
        .set('Authorization', `Bearer ${inst.token}`)
        .expect(403);
      expect(await t.prisma.backup.count({ where: { instanceId: inst.id } })).toBe(0);
    });
  });

  describe('two APIs under contention, with a small connection pool', () => {
    let t: TestApp;
    let second: INestApplication;
    beforeAll(async () => {
      t = await startTestApp({ DATABASE_POOL_SIZE: '2' });
      second = await createApp(t.config, false);
      await second.init();
    });
    afterAll(async () => {
      await second?.close();
      await t?.close();
    });

    it('120 simultaneous POSTs over 20 instances answer 202 once per instance, else 409 or 503, never 500', async () => {
      const instances = await Promise.all(Array.from({ length: 20 }, () => registerInstance(t)));
      const apis = [t.http, request(second.getHttpServer())];
      const responses = await Promise.all(
        Array.from({ length: 120 }, (_, i) => {
          const inst = instances[i % 20];
          return apis[i % 2]
            .post(`/v1/instances/${inst.id}/backups`)
            .set('Authorization', `Bearer ${inst.token}`)
            .then((res) => ({ inst: inst.id, res }));
        }),
      );
      const unexpected = responses.filter(({ res }) => ![202, 409, 503].includes(res.status));
      expect(unexpected.map(({ res }) => [res.status, res.body as unknown])).toEqual([]);
      for (const { res } of responses.filter(({ res }) => res.status === 503)) {
        expect(res.body).toStrictEqual({
          error: 'ServiceUnavailable',
          description: expect.any(String),
        });
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
      }
      // every instance got its backup, unless overload turned all its requests away
      for (const inst of instances) {
        const accepted = responses.filter((r) => r.inst === inst.id && r.res.status === 202);
        expect(accepted.length).toBeLessThanOrEqual(1);
        expect(await t.prisma.backup.count({ where: { instanceId: inst.id } })).toBe(
          accepted.length,
        );
      }
      const statuses = responses.map(({ res }) => res.status);
      expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    });
  });

  describe('when Redis goes away', () => {
    let redis: RedisServer;
    let t: TestApp;
    beforeAll(async () => {
      redis = await startRedisServer();
      t = await startTestApp({ REDIS_URL: redis.url, UPSTREAM_TIMEOUT_MS: '1500' });
    });
    afterAll(async () => {
      await t?.close();
      await redis?.stop();
    });

    it('answers 502 or 504 within the timeout, leaves no queued backup, and works again once Redis is back', async () => {
      const inst = await registerInstance(t);
      const post = () =>
        t.http
          .post(`/v1/instances/${inst.id}/backups`)
          .set('Authorization', `Bearer ${inst.token}`);
      // let the queue connect before the first request
      await waitUntil(async () => (await t.http.get('/health')).status === 200);

      await redis.stop();
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const res = await post();
        expect([502, 504]).toContain(res.status);
        expect(res.body).toStrictEqual({
          error: expect.stringMatching(/^Upstream/),
          description: expect.stringContaining('Redis'),
        });
        // never a hang; the bound is generous so that a busy machine does not fail it
        expect(Date.now() - started).toBeLessThan(1500 + 8000);
        expect(
          await t.prisma.backup.count({ where: { instanceId: inst.id, status: 'queued' } }),
        ).toBe(0);
      }

      // a Redis that accepts connections but never answers: 504 after UPSTREAM_TIMEOUT_MS
      redis = await startRedisServer(redis.port);
      await waitUntil(async () => (await post()).status === 202, 60000);
      await t.prisma.backupRow.updateMany({
        where: { instanceId: inst.id },
        data: { status: 'failed' },
      });
      redis.process.kill('SIGSTOP');
      try {
        const started = Date.now();
        const res = await post();
        expect(res.status).toBe(504);
        expect(res.body.error).toBe('UpstreamTimeout');
        expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
        // never a hang; the bound is generous so that a busy machine does not fail it
        expect(Date.now() - started).toBeLessThan(1500 + 8000);
        expect(
          await t.prisma.backup.count({ where: { instanceId: inst.id, status: 'queued' } }),
        ).toBe(0);
      } finally {
        redis.process.kill('SIGCONT');
      }
      await waitUntil(async () => (await post()).status === 202, 60000);
    });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
