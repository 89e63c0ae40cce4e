import type request from 'supertest';
import { BackupsRepository } from '../src/backups/backups.repository';
import { TestApp, registerInstance, startTestApp } from './support/test-app';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SEED_FIELDS = [
  'id',
  'backup_id',
  'size',
  'status',
  'triggered_at',
  'started_at',
  'finished_at',
  'downloadable',
];

describe('reading backups', () => {
  let t: TestApp;
  let repo: BackupsRepository;
  let inst: { id: string; token: string };
  const auth = () => ({ Authorization: `Bearer ${inst.token}` });
  /** the workers record the database's clock; these rows tell of days long past */
  const setTimes = (pk: bigint, startedAt: string, finishedAt: string) =>
    t.prisma.backupRow.update({
      where: { pk },
      data: { startedAt: new Date(startedAt), finishedAt: new Date(finishedAt) },
    });

  beforeAll(async () => {
    t = await startTestApp();
    repo = t.app.get(BackupsRepository);
    inst = await registerInstance(t);

    // 1: done, encrypted with the platform key (no user key yet) → not downloadable
    const b1 = await repo.insertQueued(inst.id, 'scheduled', new Date('2021-04-20T01:30:02.898Z'));
    await repo.markRunning(b1.pk);
    await repo.markDone(b1.pk, { storageKey: 'k1', size: 2792n, sha256: 'a'.repeat(64) });
    await setTimes(b1.pk, '2021-04-20T01:30:04.898Z', '2021-04-20T01:30:31.883Z');

    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth())
      .send({ encryption_key: 'user-key-123456' })
      .expect(200);

    // 2: done with the user's key → downloadable
    const b2 = await repo.insertQueued(inst.id, 'manual', new Date('2021-04-21T01:30:03.832Z'));
    await repo.markRunning(b2.pk);
    await repo.markDone(b2.pk, { storageKey: 'k2', size: 5_000_000_000n, sha256: 'b'.repeat(64) });
    await setTimes(b2.pk, '2021-04-21T01:30:04.832Z', '2021-04-21T01:30:32.163Z');

    // 3: failed
    const b3 = await repo.insertQueued(inst.id, 'manual', new Date('2021-04-22T10:00:00.000Z'));
    await repo.markRunning(b3.pk);
    await repo.markFailed(b3.pk, 'pg_dump exited with code 1');
    await setTimes(b3.pk, '2021-04-22T10:00:01.000Z', '2021-04-22T10:00:02.500Z');

    // 4: still queued
    await repo.insertQueued(inst.id, 'manual', new Date('2021-04-23T10:00:00.000Z'));
  });
  afterAll(() => t.close());

  describe('the admin list across instances', () => {
    const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

    it('finds the failed backup by status, with its instance and reason', async () => {
      const res = await t.http.get('/admin/v1/backups?status=failed').set(admin()).expect(200);
      expect(res.body).toStrictEqual([
        {
          instance_id: inst.id,
          id: 3,
          backup_id: `${inst.id}-${Date.parse('2021-04-22T10:00:00.000Z')}`,
          status: 'failed',
          trigger: 'manual',
          size: 0,
          triggered_at: '2021-04-22T10:00:00.000Z',
          started_at: '2021-04-22T10:00:01.000Z',
          finished_at: '2021-04-22T10:00:02.500Z',
          failure_reason: 'pg_dump exited with code 1',
        },
      ]);
      expect(res.headers.link).toBeUndefined();
    });

    it('filters by instance and time, newest first, a page at a time with a next link', async () => {
      const all = [];
      let url: string | undefined =
        `/admin/v1/backups?instance_id=${inst.id}&since=2021-04-21T00:00:00Z&limit=1`;
      while (url) {
        const res: request.Response = await t.http.get(url).set(admin()).expect(200);
        expect(res.body.length).toBeLessThanOrEqual(1);
        all.push(...res.body);
        url = /^<([^>]+)>; rel="next"$/.exec(res.headers.link ?? '')?.[1];
      }
      expect(all.map((b) => b.id)).toEqual([4, 3, 2]);
      const other = await registerInstance(t);
      const none = await t.http
        .get(`/admin/v1/backups?instance_id=${other.id}`)
        .set(admin())
        .expect(200);
      expect(none.body).toEqual([]);
    });

    it.each([
      ['status=broken', /status must be one of/],
      ['since=yesterday', /since must be a moment written as YYYY-MM-DD or/],
      ['limit=0', /limit must be an integer from 1 to 1000/],
      ['limit=1001', /limit must be an integer from 1 to 1000/],
      ['before=abc', /before must be the cursor/],
      ['colour=red', /"colour" is not a known field/],
      ['status=failed&status=done', /status must be one of/],
    ])('answers ?%s with 422 naming the parameter', async (query, description) => {
      const res = await t.http.get(`/admin/v1/backups?${query}`).set(admin()).expect(422);
      expect(res.body).toEqual({
        error: 'InvalidParameters',
        description: expect.stringMatching(description),
      });
    });

    it('answers only to the admin token', async () => {
      await t.http.get('/admin/v1/backups').expect(401);
      await t.http.get('/admin/v1/backups').set(auth()).expect(401);
    });
  });

  it('lists every backup newest first, with exactly the a9s fields and types', async () => {
    const res = await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth()).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toStrictEqual([
      {
        id: 4,
        backup_id: `${inst.id}-${Date.parse('2021-04-23T10:00:00.000Z')}`,
        size: 0,
        status: 'queued',
        triggered_at: '2021-04-23T10:00:00.000Z',
        started_at: null,
        finished_at: null,
        downloadable: false,
      },
      {
        id: 3,
        backup_id: `${inst.id}-${Date.parse('2021-04-22T10:00:00.000Z')}`,
        size: 0,
        status: 'failed',
        triggered_at: '2021-04-22T10:00:00.000Z',
        started_at: '2021-04-22T10:00:01.000Z',
        finished_at: '2021-04-22T10:00:02.500Z',
        downloadable: false,
        failure_reason: 'pg_dump exited with code 1',
      },
      {
        id: 2,
        backup_id: `${inst.id}-1618968603832`,
        size: 5000000000,
        status: 'done',
        triggered_at: '2021-04-21T01:30:03.832Z',
        started_at: '2021-04-21T01:30:04.832Z',
        finished_at: '2021-04-21T01:30:32.163Z',
        downloadable: true,
      },
      {
        id: 1,
        backup_id: `${inst.id}-1618882202898`,
        size: 2792,
        status: 'done',
        triggered_at: '2021-04-20T01:30:02.898Z',
        started_at: '2021-04-20T01:30:04.898Z',
        finished_at: '2021-04-20T01:30:31.883Z',
        downloadable: false,
      },
    ]);
    for (const b of res.body) {
      // the a9s fields in their order; a failed backup adds why, as its last field
      const fields = b.status === 'failed' ? [...SEED_FIELDS, 'failure_reason'] : SEED_FIELDS;
      expect(Object.keys(b)).toEqual(fields);
      expect(b.triggered_at).toMatch(ISO_MS);
    }
  });

  it('pages with ?limit= and ?before=, naming the next page in a Link header', async () => {
    const full = await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth()).expect(200);
    expect(full.headers.link).toBeUndefined();
    const seen: unknown[] = [];
    const links: string[] = [];
    let url: string | undefined = `/v1/instances/${inst.id}/backups?limit=3`;
    while (url) {
      const res: request.Response = await t.http.get(url).set(auth()).expect(200);
      expect(Array.isArray(res.body)).toBe(true);
      seen.push(...(res.body as unknown[]));
      url = /^<([^>]+)>; rel="next"$/.exec(res.headers.link ?? '')?.[1];
      if (url) links.push(url);
    }
    expect(links).toEqual([`/v1/instances/${inst.id}/backups?limit=3&before=2`]);
    expect(seen).toEqual(full.body);
    const older = await t.http
      .get(`/v1/instances/${inst.id}/backups?before=3`)
      .set(auth())
      .expect(200);
    expect((older.body as Array<{ id: number }>).map((b) => b.id)).toEqual([2, 1]);
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'before=0', 'before=abc']) {
      const res = await t.http
        .get(`/v1/instances/${inst.id}/backups?${query}`)
        .set(auth())
        .expect(422);
      expect(res.body).toEqual({
        error: 'InvalidParameters',
        description: expect.stringMatching(/^Invalid query parameters: (limit|before) /),
      });
    }
  });

  it('shows one backup with the same object as the list', async () => {
    const list = await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth()).expect(200);
    for (const b of list.body) {
      const res = await t.http
        .get(`/v1/instances/${inst.id}/backups/${b.id}`)
        .set(auth())
        .expect(200);
      expect(res.body).toStrictEqual(b);
    }
  });

  it.each(['0', '-1', '5', 'abc', '1.0', '01', '1e2', '99999999999', ' 1'])(
    'answers 404 for :id "%s"',
    async (id) => {
      const res = await t.http
        .get(`/v1/instances/${inst.id}/backups/${encodeURIComponent(id)}`)
        .set(auth())
        .expect(404);
      expect(res.body).toStrictEqual({ error: 'BackupNotFound', description: expect.any(String) });
    },
  );

  it('does not show a backup of another instance under this one', async () => {
    const other = await registerInstance(t);
    await repo.insertQueued(other.id, 'manual', new Date());
    const wildcard = (
      await t.http
        .post('/admin/v1/tokens')
        .set('Authorization', `Bearer ${t.adminToken}`)
        .send({ name: 'w', instances: ['*'] })
    ).body.token as string;
    const empty = await registerInstance(t);
    await t.http
      .get(`/v1/instances/${empty.id}/backups/1`)
      .set('Authorization', `Bearer ${wildcard}`)
      .expect(404);
    const list = await t.http
      .get(`/v1/instances/${empty.id}/backups`)
      .set('Authorization', `Bearer ${wildcard}`)
      .expect(200);
    expect(list.body).toEqual([]);
  });

  it('no backup is downloadable while DOWNLOADS_ENABLED is false', async () => {
    const off = await startTestApp({ DOWNLOADS_ENABLED: 'false' });
    try {
      const i = await registerInstance(off);
      await off.http
        .patch(`/v1/instances/${i.id}/backups-config`)
        .set('Authorization', `Bearer ${i.token}`)
        .send({ encryption_key: 'user-key-123456' })
        .expect(200);
      const r = off.app.get(BackupsRepository);
      const b = await r.insertQueued(i.id, 'manual', new Date());
      await r.markRunning(b.pk);
      await r.markDone(b.pk, { storageKey: 'k', size: 1n, sha256: 'c'.repeat(64) });
      const res = await off.http
        .get(`/v1/instances/${i.id}/backups/1`)
        .set('Authorization', `Bearer ${i.token}`)
        .expect(200);
      expect(res.body.status).toBe('done');
      expect(res.body.downloadable).toBe(false);
    } finally {
      await off.close();
    }
  });
});
