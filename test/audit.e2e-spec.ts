import { databaseUrl } from './support/databases';
import { createSourceDatabase, dropDatabases } from './support/postgres-fixtures';
import { waitFor } from './support/processes';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker } from './support/test-worker';

interface Audited {
  id: string;
  at: string;
  actor: string;
  token_id: string | null;
  token_name: string | null;
  action: string;
  instance_id: string | null;
  target: string | null;
  request_id: string;
  client_address: string;
  status: number;
}

/**
 * Who did what: every state-changing request of the three APIs is in the audit log with its
 * actor and outcome, read at GET /admin/v1/audit; no secret is ever in it, and a record that
 * cannot be written costs nothing but itself.
 */
describe('the audit log', () => {
  let t: TestApp;
  let worker: TestWorker;
  let source: string;
  let inst: { id: string; token: string };
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
  const bearer = () => ({ Authorization: `Bearer ${inst.token}` });
  const manager = () => ({
    Authorization: `Basic ${Buffer.from(
      `${t.config.backupManagerUsername}:${t.config.backupManagerPassword}`,
    ).toString('base64')}`,
  });
  const audit = async (query = '') =>
    (await t.http.get(`/admin/v1/audit${query}`).set(admin()).expect(200)).body as Audited[];
  const statusOf = (path: string) =>
    waitFor(
      async () => {
        const res = await t.http.get(path).set(bearer()).expect(200);
        const status = (res.body as { status: string }).status;
        return ['done', 'failed'].includes(status) ? status : null;
      },
      180000,
      `${path} to end`,
    );

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
    source = await createSourceDatabase();
    inst = await registerInstance(t, { connection_url: databaseUrl(source) });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases([source]);
  });

  it('lists a public trigger, an admin restore and a Backup Manager delete with their actors', async () => {
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(bearer())
      .send({ encryption_key: 'audit-secret-key-1' })
      .expect(200);
    // by the instance's token
    const backup = await t.http.post(`/v1/instances/${inst.id}/backups`).set(bearer()).expect(202);
    expect(await statusOf(`/v1/instances/${inst.id}/backups/1`)).toBe('done');
    // by the operator, through the admin route the dashboard uses
    await t.http
      .post(`/admin/v1/instances/${inst.id}/restores`)
      .set(admin())
      .send({ backup_id: 1 })
      .expect(202);
    expect(await statusOf(`/v1/instances/${inst.id}/restores/1`)).toBe('done');
    // by the platform, through the Backup Manager API
    await t.http
      .delete(`/backup-manager/instances/${inst.id}/backups/1`)
      .set(manager())
      .expect(200);
    // and one nobody was recognised for
    await t.http
      .post(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', 'Bearer not-a-token')
      .expect(401);

    const records = await audit(`?instance_id=${inst.id}`);
    const seen = records.map((r) => [r.actor, r.action, r.status, r.target]);
    expect(seen).toEqual([
      ['anonymous', 'POST /v1/instances/:instance_id/backups', 401, null],
      ['backup-manager', 'DELETE /backup-manager/instances/:iid/backups/:id', 200, 'id=1'],
      ['admin', 'POST /admin/v1/instances/:id/restores', 202, null],
      ['token', 'POST /v1/instances/:instance_id/backups', 202, null],
      ['token', 'PATCH /v1/instances/:instance_id/backups-config', 200, null],
    ]);
    const byToken = records.find((r) => r.actor === 'token')!;
    expect(byToken).toMatchObject({ token_name: 'test token', instance_id: inst.id });
    expect(byToken.token_id).toMatch(/^[0-9a-f-]{36}$/);
    // each with the id the answer carried, and where it came from
    expect(records.map((r) => r.request_id)).toContain(backup.headers['x-request-id']);
    for (const r of records) expect(r.client_address).toMatch(/127\.0\.0\.1|::1/);

    // the registration and the token's minting, before any of it, are the admin's
    const all = await audit();
    expect(all.filter((r) => r.action === 'POST /admin/v1/instances')).toEqual([
      expect.objectContaining({ actor: 'admin', status: 201, instance_id: null }),
    ]);
    expect(all.some((r) => r.action === 'POST /admin/v1/tokens' && r.actor === 'admin')).toBe(true);
    // reads are not state changes
    expect(all.some((r) => r.action.startsWith('GET '))).toBe(false);

    // no secret in any record: tokens, the Backup Manager password, the encryption key set
    const text = JSON.stringify(all);
    for (const secret of [
      t.adminToken,
      inst.token,
      t.config.backupManagerPassword,
      'audit-secret-key-1',
      'not-a-token',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('filters by actor and action, and pages with a next link', async () => {
    const managers = await audit('?actor=backup-manager');
    expect(managers.length).toBeGreaterThan(0);
    expect(managers.every((r) => r.actor === 'backup-manager')).toBe(true);
    const action = encodeURIComponent('POST /admin/v1/instances/:id/restores');
    expect((await audit(`?action=${action}`)).map((r) => r.actor)).toEqual(['admin']);

    const first = await t.http.get('/admin/v1/audit?limit=2').set(admin()).expect(200);
    expect(first.body).toHaveLength(2);
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))?.[1];
    expect(next).toBeDefined();
    const second = await t.http.get(next!).set(admin()).expect(200);
    const ids = [...first.body, ...second.body].map((r: Audited) => BigInt(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(new Set(ids).size).toBe(ids.length);

    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    expect(await audit(`?since=${future}`)).toEqual([]);
    await t.http.get('/admin/v1/audit?actor=root').set(admin()).expect(422);
    await t.http.get('/admin/v1/audit').expect(401);
  });

  it('answers a request whose record cannot be written, and says the record was lost', async () => {
    await t.prisma.$executeRawUnsafe('ALTER TABLE audit_records RENAME TO audit_records_away');
    try {
      const res = await t.http
        .post('/admin/v1/tokens')
        .set(admin())
        .send({ name: 'while the log is away', instances: [inst.id] })
        .expect(201);
      const requestId = String(res.headers['x-request-id']);
      await waitFor(
        () =>
          Promise.resolve(
            t.logs.some((l) => l.includes('audit record lost') && l.includes(requestId)),
          ),
        30000,
        'the lost record to be logged',
      );
    } finally {
      await t.prisma.$executeRawUnsafe('ALTER TABLE audit_records_away RENAME TO audit_records');
    }
  });
});
