import { TestApp, mintToken, registerInstance, startTestApp } from './support/test-app';

/** The four routes of the public read side, each must apply the same matrix. */
const ROUTES: Array<[string, (id: string) => string, 'get' | 'patch']> = [
  ['list backups', (id) => `/v1/instances/${id}/backups`, 'get'],
  ['show backup', (id) => `/v1/instances/${id}/backups/1`, 'get'],
  ['get config', (id) => `/v1/instances/${id}/backups-config`, 'get'],
  ['patch config', (id) => `/v1/instances/${id}/backups-config`, 'patch'],
];

describe('auth of the public API', () => {
  let t: TestApp;
  let a: { id: string; token: string };
  let b: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerInstance(t);
    b = await registerInstance(t);
  });
  afterAll(() => t.close());

  const call = (method: 'get' | 'patch', path: string, authorization?: string) => {
    const req = t.http[method](path);
    if (authorization !== undefined) req.set('Authorization', authorization);
    return method === 'patch' ? req.send({ retention_time: 7 }) : req;
  };

  describe.each(ROUTES)('%s', (_name, path, method) => {
    it('401 without an Authorization header', async () => {
      const res = await call(method, path(a.id)).expect(401);
      expect(res.body).toStrictEqual({ error: 'Unauthorized', description: expect.any(String) });
    });

    it.each([
      ['garbage', 'garbage'],
      ['a scheme without token', 'Bearer'],
      ['an unknown token', 'Bearer bmt_this-token-does-not-exist'],
      ['Basic auth', 'Basic dXNlcjpwYXNz'],
      ['the admin token', 'ADMIN'],
    ])('401 with %s', async (_label, header) => {
      const value = header === 'ADMIN' ? `Bearer ${t.adminToken}` : header;
      const res = await call(method, path(a.id), value).expect(401);
      expect(res.body.error).toBe('Unauthorized');
    });

    it('accepts the scheme in any case ("bearer" as cf oauth-token prints it)', async () => {
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        const res = await call(method, path(a.id), `${scheme} ${a.token}`);
        expect([200, 404]).toContain(res.status);
        if (res.status === 404) expect(res.body.error).toBe('BackupNotFound');
      }
    });

    it('403 with a token granted another instance', async () => {
      const res = await call(method, path(b.id), `Bearer ${a.token}`).expect(403);
      expect(res.body).toStrictEqual({
        error: 'Forbidden',
        description: expect.stringContaining(b.id),
      });
    });

    it('404 with a wildcard token on an unknown instance', async () => {
      const wildcard = await mintToken(t, ['*']);
      const res = await call(method, path('no-such-instance'), `Bearer ${wildcard}`).expect(404);
      expect(res.body).toStrictEqual({
        error: 'InstanceNotFound',
        description: expect.stringContaining('no-such-instance'),
      });
    });
  });

  it('401 with a revoked token, which worked before revocation', async () => {
    const inst = await registerInstance(t);
    const list = await t.http
      .get('/admin/v1/tokens')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    await t.http
      .get(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(200);
    const tokenId = (list.body as Array<{ id: string; instances: string[] }>).find(
      (x) => x.instances[0] === inst.id,
    )!.id;
    await t.http
      .delete(`/admin/v1/tokens/${tokenId}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(204);
    await t.http
      .get(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${inst.token}`)
      .expect(401);
  });

  it('401 with an expired token, which worked before it expired', async () => {
    const inst = await registerInstance(t);
    // long enough for the first request on a busy machine; then waited out on the clock
    const expires = Date.now() + 5000;
    const token = await mintToken(t, [inst.id], { expires_at: new Date(expires).toISOString() });
    await t.http
      .get(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    while (Date.now() <= expires) await new Promise((r) => setTimeout(r, 100));
    const res = await t.http
      .get(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(res.body.error).toBe('Unauthorized');
  });

  it('404 on a deregistered instance, for its own token and a wildcard one', async () => {
    const inst = await registerInstance(t);
    const wildcard = await mintToken(t, ['*']);
    await t.http
      .delete(`/admin/v1/instances/${inst.id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(204);
    for (const token of [inst.token, wildcard]) {
      const res = await t.http
        .get(`/v1/instances/${inst.id}/backups-config`)
        .set('Authorization', `Bearer ${token}`)
        .expect(404);
      expect(res.body.error).toBe('InstanceNotFound');
    }
  });

  it('a 401 outranks a malformed body, and a 403 outranks a bad PATCH', async () => {
    await t.http
      .patch(`/v1/instances/${a.id}/backups-config`)
      .set('Content-Type', 'application/json')
      .send('{bad')
      .expect(401);
    await t.http
      .patch(`/v1/instances/${b.id}/backups-config`)
      .set('Authorization', `Bearer ${a.token}`)
      .send({ retention_time: -1 })
      .expect(403);
  });

  describe('admin routes', () => {
    const adminRoutes: Array<['get' | 'post' | 'delete', string]> = [
      ['get', '/admin/v1/instances'],
      ['post', '/admin/v1/instances'],
      ['get', '/admin/v1/instances/x'],
      ['delete', '/admin/v1/instances/x'],
      ['get', '/admin/v1/tokens'],
      ['post', '/admin/v1/tokens'],
      ['delete', '/admin/v1/tokens/x'],
    ];

    it.each(adminRoutes)(
      '%s %s refuses a public token, even a wildcard one, and no token',
      async (method, path) => {
        const wildcard = await mintToken(t, ['*']);
        for (const header of [`Bearer ${wildcard}`, `Bearer ${a.token}`, undefined]) {
          const req = t.http[method](path);
          if (header) req.set('Authorization', header);
          const res = await req.send({});
          expect(res.status).toBe(401);
          expect(res.body).toStrictEqual({
            error: 'Unauthorized',
            description: expect.any(String),
          });
        }
      },
    );
  });

  it('a revoked token is refused on the very next request by every API process', async () => {
    const other = await startTestApp({ DATABASE_URL: t.databaseUrl });
    try {
      const inst = await registerInstance(t);
      const url = `/v1/instances/${inst.id}/backups`;
      const auth = { Authorization: `Bearer ${inst.token}` };
      await t.http.get(url).set(auth).expect(200);
      await other.http.get(url).set(auth).expect(200);
      const tokens = await t.http
        .get('/admin/v1/tokens')
        .set('Authorization', `Bearer ${t.adminToken}`)
        .expect(200);
      const id = (tokens.body as Array<{ id: string; instances: string[] }>).find(
        (k) => k.instances.includes(inst.id) && k.instances.length === 1,
      )!.id;
      await t.http
        .delete(`/admin/v1/tokens/${id}`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .expect(204);
      await other.http.get(url).set(auth).expect(401);
      await t.http.get(url).set(auth).expect(401);
    } finally {
      await other.close();
    }
  });
});
