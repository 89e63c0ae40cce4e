import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { waitFor } from './support/processes';
import { freePort } from './support/servers';
import { TestApp, capturingLogger, registerInstance, startTestApp } from './support/test-app';
import { AddressPolicy } from '../src/core/network/address-policy';
import { createWorker } from '../src/worker.factory';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRET = 'whsec-test-0123456789abcdef';

/**
 * Webhooks against receivers this test runs: one that answers 200, one that answers 500 three
 * times and then 200, and one that never answers.
 */
describe('webhooks', () => {
  let t: TestApp;
  let worker: TestWorker;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const flakyAnswers = [500, 500, 500, 200];
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
  const at = (path: string) => received.filter((r) => r.path === path);

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (req.url === '/hang') return void hanging.push(res);
        const status = req.url === '/flaky' ? (flakyAnswers.shift() ?? 200) : 200;
        res.writeHead(status).end(status === 200 ? 'thanks' : 'broken');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    t = await startTestApp({
      WEBHOOK_RETRY_BASE_MS: '300',
      WEBHOOK_POLL_MS: '50',
      // long enough for the test's own receivers to answer on a busy machine
      WEBHOOK_TIMEOUT_MS: '5000',
    });
    worker = await startTestWorker(t);
  });

  afterAll(async () => {
    await worker?.close();
    for (const res of hanging) res.destroy();
    receiver?.close();
    await t?.close();
  });

  const addWebhook = (body: Record<string, unknown>) =>
    t.http.post('/admin/v1/webhooks').set(admin()).send(body);
  const deliveriesOf = async (id: string) =>
    (await t.http.get(`/admin/v1/webhooks/${id}/deliveries`).set(admin()).expect(200)).body as {
      id: string;
      event: string;
      status: string;
      attempts: number;
      attempt_log: { at: string; status_code: number | null; error: string | null }[];
      payload: Record<string, unknown>;
    }[];

  it('signs each delivery, retries a failing receiver, and never holds up the job', async () => {
    const ok = await addWebhook({
      url: `${base}/ok`,
      events: ['backup.failed'],
      secret: SECRET,
    }).expect(201);
    expect(ok.body).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: `${base}/ok`,
      events: ['backup.failed'],
      created_at: expect.stringMatching(/Z$/),
    });
    const flaky = await addWebhook({
      url: `${base}/flaky`,
      events: ['backup.failed', 'backup.done'],
      secret: SECRET,
    }).expect(201);
    const hang = await addWebhook({
      url: `${base}/hang`,
      events: ['backup.failed'],
      secret: SECRET,
    }).expect(201);
    // not told about failures: gets nothing
    const quiet = await addWebhook({ url: `${base}/quiet`, events: ['restore.failed'] }).expect(
      201,
    );

    // an instance nothing answers for: its backup fails at once
    const port = await freePort();
    const inst = await registerInstance(t, {
      connection_url: `postgresql://app:pw@127.0.0.1:${port}/shop`,
    });
    const trigger = await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    const backup = await waitForBackup(t, inst.id, inst.token, trigger.body.id);
    expect(backup.status).toBe('failed');

    const [delivered] = await waitFor(
      async () => {
        const d = await deliveriesOf(flaky.body.id);
        return d[0]?.status === 'delivered' ? d : null;
      },
      60000,
      'the flaky receiver to be delivered to',
    );
    expect(delivered.attempts).toBe(4);
    expect(delivered.attempt_log.map((a) => a.status_code)).toEqual([500, 500, 500, 200]);
    expect(delivered.attempt_log[0].error).toBe('the receiver answered 500');
    expect(at('/flaky')).toHaveLength(4);
    // every attempt sent the same bytes
    expect(new Set(at('/flaky').map((r) => r.body)).size).toBe(1);

    const [sent] = at('/ok');
    expect(at('/ok')).toHaveLength(1);
    const body = JSON.parse(sent.body);
    expect(body).toStrictEqual({
      id: sent.headers['backup-manager-delivery'],
      event: 'backup.failed',
      created_at: expect.stringMatching(/Z$/),
      data: {
        instance_id: inst.id,
        id: trigger.body.id,
        backup_id: backup.backup_id,
        status: 'failed',
        trigger: 'manual',
        size: 0,
        failure_reason: expect.stringContaining('ECONNREFUSED') as unknown,
        triggered_at: backup.triggered_at,
        started_at: expect.stringMatching(/Z$/),
        finished_at: backup.finished_at,
      },
    });
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['backup-manager-event']).toBe('backup.failed');
    // the signature, recomputed as a receiver would from the documented format
    const header = String(sent.headers['backup-manager-signature']);
    const [, t0, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
    expect(v1).toBe(createHmac('sha256', SECRET).update(`${t0}.${sent.body}`).digest('hex'));
    expect(Math.abs(Number(t0) - Date.now() / 1000)).toBeLessThan(600);

    // the receiver that hangs costs only its own attempts, each cut at WEBHOOK_TIMEOUT_MS
    const hung = await waitFor(
      async () => {
        const d = await deliveriesOf(hang.body.id);
        return d[0]?.attempts >= 2 && d[0].attempt_log.length >= 2 ? d[0] : null;
      },
      120000,
      'two attempts at the hanging receiver',
    );
    expect(hung.status).toBe('pending');
    expect(hung.attempt_log[0]).toMatchObject({
      status_code: null,
      error: 'no answer within 5000 ms (WEBHOOK_TIMEOUT_MS)',
    });
    // the job ended before any delivery was tried: it never waited on a receiver
    const finished = Date.parse(String(backup.finished_at));
    for (const d of [delivered, hung]) {
      expect(Date.parse(d.attempt_log[0].at)).toBeGreaterThanOrEqual(finished);
    }
    expect(await deliveriesOf(quiet.body.id)).toEqual([]);
    expect(at('/quiet')).toHaveLength(0);

    // the worker goes on taking jobs while the hanging receiver's retries continue
    const next = await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(202);
    expect((await waitForBackup(t, inst.id, inst.token, next.body.id)).status).toBe('failed');

    // no secret in any log line or listing
    const listed = await t.http.get('/admin/v1/webhooks').set(admin()).expect(200);
    for (const text of [t.logs.join('\n'), listed.text]) expect(text).not.toContain(SECRET);
  });

  it('pings a receiver on request: signed, delivered, and listed with its answer', async () => {
    const hook = await addWebhook({
      url: `${base}/ok`,
      events: ['restore.done'],
      secret: SECRET,
    }).expect(201);
    const before = at('/ok').length;
    const ping = await t.http
      .post(`/admin/v1/webhooks/${hook.body.id}/ping`)
      .set(admin())
      .expect(202);
    expect(ping.body).toMatchObject({ event: 'ping', status: 'pending', attempts: 0 });
    const delivered = await waitFor(
      async () => {
        const [d] = await deliveriesOf(hook.body.id);
        return d?.status === 'delivered' ? d : null;
      },
      60000,
      'the ping to be delivered',
    );
    expect(delivered).toMatchObject({ id: ping.body.id, event: 'ping', attempts: 1 });
    expect(delivered.attempt_log[0].status_code).toBe(200);
    const sent = at('/ok')
      .slice(before)
      .find((r) => r.headers['backup-manager-event'] === 'ping')!;
    expect(JSON.parse(sent.body)).toEqual({
      id: ping.body.id,
      event: 'ping',
      created_at: expect.stringMatching(/Z$/),
      data: { webhook_id: hook.body.id },
    });
    const [, t0, v1] =
      /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(sent.headers['backup-manager-signature'])) ?? [];
    expect(v1).toBe(createHmac('sha256', SECRET).update(`${t0}.${sent.body}`).digest('hex'));
    // an unknown webhook
    await t.http
      .post('/admin/v1/webhooks/00000000-0000-4000-8000-000000000000/ping')
      .set(admin())
      .expect(404);
  });

  it('generates a secret when none is given, shows it once, and validates the rest', async () => {
    const created = await addWebhook({ url: `${base}/ok`, events: ['restore.done'] }).expect(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const shown = await t.http
      .get(`/admin/v1/webhooks/${created.body.id}`)
      .set(admin())
      .expect(200);
    expect(shown.body).not.toHaveProperty('secret');
    expect(t.logs.join('\n')).not.toContain(created.body.secret);

    for (const [body, says] of [
      [{ url: 'ftp://example.com/x', events: ['backup.done'] }, /https:\/\/ or http:\/\//],
      [
        { url: 'https://user:pw@example.com/x', events: ['backup.done'] },
        /no user name or password/,
      ],
      [{ url: `${base}/ok`, events: ['backup.started'] }, /events must be one of/],
      [{ url: `${base}/ok`, events: [] }, /events/],
      [{ url: `${base}/ok`, events: ['backup.done', 'backup.done'] }, /must not repeat/],
      [{ url: `${base}/ok`, events: ['backup.done'], secret: 'short' }, /at least 16/],
      [{ url: `${base}/ok`, events: ['backup.done'], extra: 1 }, /"extra" is not a known field/],
    ] as const) {
      const res = await addWebhook(body).expect(422);
      expect(res.body.description).toMatch(says);
    }

    await t.http.get('/admin/v1/webhooks/not-a-uuid').set(admin()).expect(404);
    await t.http.delete(`/admin/v1/webhooks/${created.body.id}`).set(admin()).expect(204);
    await t.http.get(`/admin/v1/webhooks/${created.body.id}`).set(admin()).expect(404);
    await t.http.get(`/admin/v1/webhooks/${created.body.id}/deliveries`).set(admin()).expect(404);
    await t.http.delete(`/admin/v1/webhooks/${created.body.id}`).set(admin()).expect(404);
    await t.http.get('/admin/v1/webhooks').expect(401);
  });

  describe('destinations', () => {
    /** Forms of loopback a URL may take; the parser reads the odd ones as 127.0.0.1. */
    const LOOPBACK = (port: number) => [
      `http://127.0.0.1:${port}/x`,
      `http://localhost:${port}/x`,
      `http://[::1]:${port}/x`,
      `http://2130706433:${port}/x`,
      `http://0x7f.0.0.1:${port}/x`,
      `http://[::ffff:127.0.0.1]:${port}/x`,
    ];

    it('refuses loopback and link-local by default with a 422 naming the setting; loopback accepted when allowed', async () => {
      const strict = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: 'external' });
      try {
        const port = (receiver.address() as { port: number }).port;
        // never connected to: refused when registered
        for (const url of [
          ...LOOPBACK(port),
          'http://169.254.169.254/latest',
          'http://[fe80::1]/',
        ]) {
          const res = await strict.http
            .post('/admin/v1/webhooks')
            .set('Authorization', `Bearer ${strict.adminToken}`)
            .send({ url, events: ['backup.done'] })
            .expect(422);
          expect(res.body.description).toMatch(/WEBHOOK_ALLOWED_HOSTS=external/);
        }
        expect(await strict.prisma.webhook.count()).toBe(0);
      } finally {
        await strict.close();
      }
      // this file's app allows loopback (and only that): the same URLs are accepted
      const port = (receiver.address() as { port: number }).port;
      for (const url of LOOPBACK(port)) {
        const res = await addWebhook({ url, events: ['restore.failed'] }).expect(201);
        await t.http.delete(`/admin/v1/webhooks/${res.body.id}`).set(admin()).expect(204);
      }
      await addWebhook({ url: 'http://169.254.169.254/x', events: ['restore.failed'] }).expect(422);
    });

    it('checks the address again at delivery, and says only "could not connect" for a closed port', async () => {
      const port = (receiver.address() as { port: number }).port;
      const late = await addWebhook({
        url: `http://localhost:${port}/late`,
        events: ['backup.failed'],
      }).expect(201);
      const closed = await addWebhook({
        url: `http://127.0.0.1:${await freePort()}/closed`,
        events: ['backup.failed'],
      }).expect(201);
      // a worker whose setting allows no loopback, where the name resolves to loopback
      await worker.close();
      const config = Object.assign(Object.create(Object.getPrototypeOf(t.config)), t.config, {
        webhookAllowedHosts: new AddressPolicy('external'),
      }) as typeof t.config;
      const strictWorker = await createWorker(config, capturingLogger(t.logs));
      try {
        const inst = await registerInstance(t, {
          connection_url: 'postgresql://postgres@127.0.0.1:1/nowhere',
        });
        const trigger = await t.http
          .post(`/v1/instances/${inst.id}/backups`)
          .set('Authorization', `Bearer ${inst.token}`)
          .expect(202);
        await waitForBackup(t, inst.id, inst.token, trigger.body.id);
        const refused = await waitFor(
          async () => (await deliveriesOf(late.body.id))[0]?.attempt_log[0] ?? null,
          60000,
          'the attempt at the late receiver',
        );
        expect(refused).toMatchObject({
          status_code: null,
          error: expect.stringMatching(
            /^not sent: localhost \((127\.0\.0\.1|::1)\) is not an allowed destination under WEBHOOK_ALLOWED_HOSTS=external$/,
          ),
        });
        expect(at('/late')).toHaveLength(0);
      } finally {
        await strictWorker.close();
        worker = await startTestWorker(t);
      }
      // a closed port reads as any other failure to connect (once a worker that allows
      // loopback tries it)
      const unreachable = await waitFor(
        async () => {
          const log = (await deliveriesOf(closed.body.id))[0]?.attempt_log ?? [];
          return log.find((a) => !a.error?.startsWith('not sent')) ?? null;
        },
        60000,
        'an attempt at the closed port',
      );
      expect(unreachable).toMatchObject({ status_code: null, error: 'could not connect' });
    });
  });
});
