import { TestApp, startTestApp } from './support/test-app';

const PASSWORD = 'Sup3r-Secret-Pw!';
const CONNECTION_URL = `postgresql://app_user:${encodeURIComponent(PASSWORD)}@127.0.0.1:5432/test`;

describe('admin API', () => {
  let t: TestApp;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('instances', () => {
    it('registers, lists, shows and deregisters an instance, never returning its credentials', async () => {
      const created = await t.http
        .post('/admin/v1/instances')
        .set(admin())
        .send({
          id: '8377f207-21b4-48fd-a75b-78c1bcdef8ca',
          name: 'orders db',
          type: 'postgresql',
          connection_url: CONNECTION_URL,
        })
        .expect(201);
      expect(created.body).toStrictEqual({
        id: '8377f207-21b4-48fd-a75b-78c1bcdef8ca',
        name: 'orders db',
        type: 'postgresql',
        backup_type: 'standard',
        created_at: expect.stringMatching(/Z$/),
      });
      const list = await t.http.get('/admin/v1/instances').set(admin()).expect(200);
      expect(list.body.map((i: { id: string }) => i.id)).toContain(created.body.id);
      const shown = await t.http
        .get(`/admin/v1/instances/${created.body.id}`)
        .set(admin())
        .expect(200);
      expect(shown.body).toStrictEqual(created.body);
      for (const text of [created.text, list.text, shown.text]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain('app_user');
      }
      await t.http.delete(`/admin/v1/instances/${created.body.id}`).set(admin()).expect(204);
      await t.http.get(`/admin/v1/instances/${created.body.id}`).set(admin()).expect(404);
      await t.http.delete(`/admin/v1/instances/${created.body.id}`).set(admin()).expect(404);
      const after = await t.http.get('/admin/v1/instances').set(admin()).expect(200);
      expect(after.body.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
    });

    it('generates an id when none is given, and refuses to reuse one', async () => {
      const res = await t.http
        .post('/admin/v1/instances')
        .set(admin())
        .send({
          name: 'cache',
          type: 'redis',
          connection_url: 'redis://:pw@127.0.0.1:6379/0',
          backup_type: 'standard',
        })
        .expect(201);
      expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
      const again = await t.http
        .post('/admin/v1/instances')
        .set(admin())
        .send({
          id: res.body.id,
          name: 'cache',
          type: 'redis',
          connection_url: 'redis://127.0.0.1:6379',
        })
        .expect(409);
      expect(again.body).toStrictEqual({
        error: 'AlreadyExists',
        description: expect.stringContaining(res.body.id),
      });
    });

    it.each([
      ['no name', { type: 'postgresql', connection_url: CONNECTION_URL }],
      ['unknown type', { name: 'x', type: 'oracle', connection_url: CONNECTION_URL }],
      ['no connection_url', { name: 'x', type: 'postgresql' }],
      [
        'a connection_url of another type',
        { name: 'x', type: 'mariadb', connection_url: CONNECTION_URL },
      ],
      [
        'a connection_url without database',
        { name: 'x', type: 'postgresql', connection_url: 'postgresql://u:p@h:5432' },
      ],
      ['not a URL', { name: 'x', type: 'redis', connection_url: 'not a url' }],
      [
        'an id with a slash',
        { id: 'a/b', name: 'x', type: 'postgresql', connection_url: CONNECTION_URL },
      ],
      [
        'an unknown backup_type',
        { name: 'x', type: 'postgresql', connection_url: CONNECTION_URL, backup_type: 'hourly' },
      ],
      [
        'an unknown field',
        { name: 'x', type: 'postgresql', connection_url: CONNECTION_URL, password: 'x' },
      ],
      [
        // its backups would hold every database of the server, another tenant's included
        'a redis URL naming one logical database',
        { name: 'x', type: 'redis', connection_url: 'redis://:pw@127.0.0.1:6379/3' },
      ],
      [
        'continuous archiving of an engine without a log to archive',
        {
          name: 'x',
          type: 'redis',
          connection_url: 'redis://:pw@127.0.0.1:6379',
          backup_type: 'continuous_archiving',
        },
      ],
      [
        'an unknown TLS parameter',
        { name: 'x', type: 'postgresql', connection_url: `${CONNECTION_URL}?ssl=true` },
      ],
    ])('refuses %s with a 422 that does not echo the credentials', async (_label, body) => {
      const before = await t.prisma.instance.count();
      const res = await t.http.post('/admin/v1/instances').set(admin()).send(body).expect(422);
      expect(res.body).toStrictEqual({
        error: expect.any(String),
        description: expect.any(String),
      });
      expect(res.text).not.toContain(PASSWORD);
      expect(await t.prisma.instance.count()).toBe(before);
    });
  });

  describe('tokens', () => {
    it('mints a token shown once, lists tokens without secrets, and revokes', async () => {
      const inst = await t.http
        .post('/admin/v1/instances')
        .set(admin())
        .send({ name: 'x', type: 'postgresql', connection_url: CONNECTION_URL })
        .expect(201);
      const created = await t.http
        .post('/admin/v1/tokens')
        .set(admin())
        .send({ name: 'ci pipeline', instances: [inst.body.id] })
        .expect(201);
      expect(created.body).toMatchObject({
        id: expect.any(String),
        token: expect.stringMatching(/^bmt_/),
        name: 'ci pipeline',
      });
      const token: string = created.body.token;
      const list = await t.http.get('/admin/v1/tokens').set(admin()).expect(200);
      expect(list.text).not.toContain(token);
      const listed = list.body.find((x: { id: string }) => x.id === created.body.id);
      expect(listed).toStrictEqual({
        id: created.body.id,
        name: 'ci pipeline',
        instances: [inst.body.id],
        expires_at: null,
        revoked_at: null,
        created_at: expect.any(String),
      });
      const stored = await t.prisma.$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT row_to_json(a)::text AS row FROM access_tokens a`,
      );
      for (const { row } of stored) expect(row).not.toContain(token);

      await t.http.delete(`/admin/v1/tokens/${created.body.id}`).set(admin()).expect(204);
      const revoked = await t.http.get('/admin/v1/tokens').set(admin()).expect(200);
      expect(revoked.body.find((x: { id: string }) => x.id === created.body.id).revoked_at).toEqual(
        expect.any(String),
      );
      await t.http
        .delete('/admin/v1/tokens/00000000-0000-0000-0000-000000000000')
        .set(admin())
        .expect(404);
      await t.http.delete('/admin/v1/tokens/not-a-uuid').set(admin()).expect(404);
    });

    it.each([
      ['no instances', { name: 'x' }],
      ['an empty instance list', { name: 'x', instances: [] }],
      ['an unregistered instance', { name: 'x', instances: ['never-registered'] }],
      ['a wildcard mixed with ids', { name: 'x', instances: ['*', 'abc'] }],
      [
        'an expiry in the past',
        { name: 'x', instances: ['*'], expires_at: '2001-01-01T00:00:00Z' },
      ],
      ['an expiry that is not a date', { name: 'x', instances: ['*'], expires_at: 'tomorrow' }],
      ['instances as a string', { name: 'x', instances: '*' }],
    ])('refuses %s with a 422', async (_label, body) => {
      const before = await t.prisma.accessToken.count();
      const res = await t.http.post('/admin/v1/tokens').set(admin()).send(body).expect(422);
      expect(res.body).toStrictEqual({
        error: expect.any(String),
        description: expect.any(String),
      });
      expect(await t.prisma.accessToken.count()).toBe(before);
    });
  });

  it('stores connection credentials sealed: no plain column holds the password', async () => {
    const res = await t.http
      .post('/admin/v1/instances')
      .set(admin())
      .send({ name: 'sealed', type: 'postgresql', connection_url: CONNECTION_URL })
      .expect(201);
    const rows = await t.prisma.$queryRawUnsafe<Array<{ row: string; creds: string }>>(
      `SELECT row_to_json(i)::text AS row, encode(credentials, 'hex') AS creds FROM instances i WHERE id = $1`,
      res.body.id,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].row).not.toContain(PASSWORD);
    expect(rows[0].row).not.toContain(encodeURIComponent(PASSWORD));
    expect(rows[0].creds).not.toContain(Buffer.from('app_user').toString('hex'));
    expect(rows[0].creds).not.toContain(Buffer.from(PASSWORD).toString('hex'));
    expect(t.logs.join('\n')).not.toContain(PASSWORD);
  });
});
