import { connect } from 'node:net';
import fc from 'fast-check';
import { seedDownloadableArchive } from './support/seed-archive';
import { TestApp, registerInstance, startTestApp } from './support/test-app';

/**
 * No input may produce a 5xx: generated hostile ids, bodies and headers against every route,
 * each answered with a 4xx (or a success) in the documented error body. FUZZ_SEED picks another
 * set of requests; the default keeps CI repeatable.
 */
describe('hostile input', () => {
  let t: TestApp;
  let inst: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    inst = await registerInstance(t);
    await seedDownloadableArchive(t, inst, 1024);
  });
  afterAll(() => t?.close());

  const auth = () => `Bearer ${inst.token}`;

  it.each([
    ['GET', '/admin/v1/instances/a%00b', 'admin', 400],
    ['GET', '/v1/instances/a%00b/backups', 'user', 400],
    ['GET', '/v1/instances/x/backups/%E0%A4%A', 'user', 400],
  ])(
    '%s %s (as %s) with a NUL or broken encoding in the path → %d',
    async (method, path, who, status) => {
      const res = await t.http[method.toLowerCase() as 'get'](path).set(
        'Authorization',
        who === 'admin' ? `Bearer ${t.adminToken}` : auth(),
      );
      expect(res.status).toBe(status);
      expect(res.body).toStrictEqual({ error: 'BadRequest', description: expect.any(String) });
    },
  );

  it.each([
    ['/admin/v1/backups?instance_id=%00', 'admin'],
    ['/admin/v1/backups?status=done&instance_id=a%01b', 'admin'],
    ['/v1/instances/x/backups?limit=%7F', 'user'],
  ])('GET %s (as %s) with a control character in the query → 400', async (path, who) => {
    const res = await t.http
      .get(path)
      .set('Authorization', who === 'admin' ? `Bearer ${t.adminToken}` : auth());
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({
      error: 'BadRequest',
      description: expect.stringContaining('control character'),
    });
  });

  /** ISO 8601 forms other than the one the documents show: refused, never guessed at. */
  const ODD_MOMENTS = [
    '2026-W49-1T13:43:20Z',
    '2026-341T13:43:20Z',
    '20261207T134320Z',
    '2026-12-07T13Z',
    '2026-12-07T13:43:20,5Z',
    '2026-12-07T13:43:20+01',
    '2026-02-30T13:43:20Z',
  ];

  it.each(ODD_MOMENTS)(
    '%s as point_in_time, since or expires_at → 422 naming the form',
    async (moment) => {
      const admin = { Authorization: `Bearer ${t.adminToken}` };
      const restore = await t.http
        .post(`/v1/instances/${inst.id}/restores`)
        .set('Authorization', auth())
        .send({ point_in_time: moment });
      const since = await t.http
        .get(`/admin/v1/backups?since=${encodeURIComponent(moment)}`)
        .set(admin);
      const token = await t.http
        .post('/admin/v1/tokens')
        .set(admin)
        .send({ name: 'odd', instances: ['*'], expires_at: moment });
      for (const [res, field] of [
        [restore, 'point_in_time'],
        [since, 'since'],
        [token, 'expires_at'],
      ] as const) {
        expect(res.status).toBe(422);
        expect(res.body).toStrictEqual({
          error: 'InvalidParameters',
          description: expect.stringMatching(
            new RegExp(`${field} must be a moment written as .*YYYY-MM-DDThh:mm:ss`),
          ),
        });
      }
      expect(await t.prisma.restore.count({ where: { instanceId: inst.id } })).toBe(0);
    },
  );

  it('deleting a token twice: 204, then 404', async () => {
    const admin = { Authorization: `Bearer ${t.adminToken}` };
    const minted = await t.http
      .post('/admin/v1/tokens')
      .set(admin)
      .send({ name: 'twice', instances: ['*'] })
      .expect(201);
    await t.http.delete(`/admin/v1/tokens/${minted.body.id}`).set(admin).expect(204);
    const again = await t.http.delete(`/admin/v1/tokens/${minted.body.id}`).set(admin).expect(404);
    expect(again.body.description).toMatch(/revoked already/);
  });

  it('a download path with a NUL answers in the download route body', async () => {
    const res = await t.http
      .get(`/v1/instances/${inst.id}%00/backups/1/download`)
      .set('Authorization', auth());
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({ message: expect.any(String), status: 400 });
  });

  it('a NUL in a JSON string, or JSON nested 3,000 deep, is a 422 and changes nothing', async () => {
    const before = await t.prisma.instance.count();
    const nul = await t.http
      .post('/admin/v1/instances')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ name: 'x\u0000y', type: 'redis', connection_url: 'redis://127.0.0.1:1' });
    expect(nul.status).toBe(422);
    expect(nul.body.description).toMatch(/NUL/);
    const deep = await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', auth())
      .set('Content-Type', 'application/json')
      .send(`{"retention_time":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(deep.status).toBe(422);
    expect(deep.body).toStrictEqual({
      error: 'InvalidParameters',
      description: expect.stringMatching(/nested/),
    });
    expect(await t.prisma.instance.count()).toBe(before);
  });

  it('bytes that are not UTF-8 are a 422 on every route that takes a body, and nothing is stored', async () => {
    const bad = (json: string) =>
      Buffer.concat([
        Buffer.from(json.split('@')[0]),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(json.split('@')[1]),
      ]);
    const keyBefore = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: inst.id },
    });
    const instances = await t.prisma.instance.count();
    const tokens = await t.prisma.accessToken.count();
    const cases: Array<[string, string, string, Buffer]> = [
      [
        'patch',
        `/v1/instances/${inst.id}/backups-config`,
        auth(),
        bad('{"encryption_key":"secret-key-@-123456"}'),
      ],
      [
        'post',
        '/admin/v1/instances',
        `Bearer ${t.adminToken}`,
        bad('{"name":"na@me","type":"redis","connection_url":"redis://127.0.0.1:1"}'),
      ],
      [
        'post',
        '/admin/v1/tokens',
        `Bearer ${t.adminToken}`,
        bad(`{"name":"to@ken","instances":["${inst.id}"]}`),
      ],
    ];
    for (const [method, path, authorization, body] of cases) {
      const res = await t.http[method as 'post'](path)
        .set('Authorization', authorization)
        .set('Content-Type', 'application/json')
        .serialize(() => body as unknown as string) // the bytes as they are
        .send({});
      expect({ path, status: res.status, body: res.body }).toStrictEqual({
        path,
        status: 422,
        body: { error: 'InvalidParameters', description: 'The request body is not valid UTF-8.' },
      });
    }
    const keyAfter = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: inst.id },
    });
    expect(keyAfter.activeKeyId).toBe(keyBefore.activeKeyId);
    expect(await t.prisma.instance.count()).toBe(instances);
    expect(await t.prisma.accessToken.count()).toBe(tokens);
  });

  it('a body that names a field twice is a 422 naming it, and changes nothing', async () => {
    const keyBefore = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: inst.id },
    });
    const res = await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', auth())
      .set('Content-Type', 'application/json')
      .send('{"encryption_key":"first-key-123456", "encryption_key" :"second-key-123456"}');
    expect(res.status).toBe(422);
    expect(res.body).toStrictEqual({
      error: 'InvalidParameters',
      description: 'The request body names "encryption_key" twice; send each field once.',
    });
    const keyAfter = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: inst.id },
    });
    expect(keyAfter.activeKeyId).toBe(keyBefore.activeKeyId);
  });

  it('a route that exists with another method answers 405 with Allow', async () => {
    const res = await t.http
      .delete(`/v1/instances/${inst.id}/backups`)
      .set('Authorization', auth());
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect(res.body).toStrictEqual({ error: 'MethodNotAllowed', description: expect.any(String) });
    const admin = await t.http
      .put('/admin/v1/tokens')
      .set('Authorization', `Bearer ${t.adminToken}`);
    expect(admin.status).toBe(405);
    expect(admin.headers.allow).toBe('GET, HEAD, POST');
  });

  it('a header Node cannot parse gets the documented body, a request id and a log line', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    const send = (path: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('close', () => resolve(text));
      });
    const raw = await send('/health?secret=1');
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(raw.split('\r\n\r\n')[1])).toStrictEqual({
      error: 'BadRequest',
      description: expect.any(String),
    });
    const id = /\r\nX-Request-Id: ([0-9a-f-]{36})\r\n/i.exec(raw)?.[1];
    expect(id).toBeDefined();
    const line = t.logs.find((l) => l.includes(id!));
    expect(JSON.parse(line!)).toMatchObject({
      msg: 'request refused by the HTTP parser',
      method: 'GET',
      path: '/health',
      status: 400,
      requestId: id,
    });
    expect(line).not.toContain('secret');
    // the download route answers in its own body, as for every other error
    const download = await send(`/v1/instances/${inst.id}/backups/1/download`);
    expect(JSON.parse(download.split('\r\n\r\n')[1])).toStrictEqual({
      message: expect.any(String),
      status: 400,
    });
  });

  it('a few hundred generated hostile requests to every route: never a 5xx, always the documented body', async () => {
    const hostileString = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom(
        '\u0000',
        'a\u0000b',
        '%00',
        '%',
        '%ZZ',
        '..',
        '../../etc/passwd',
        "' OR 1=1 --",
        '"; DROP TABLE backups; --',
        '0',
        '-1',
        '1e309',
        '9'.repeat(400),
        'x'.repeat(5000),
        '\u202e\ud83d\ude00',
        '\ud800',
        '*',
        'null',
        '[]',
        '{}',
      ),
    );
    const idLike = fc.oneof(hostileString, fc.constant(inst.id), fc.integer().map(String));
    const jsonValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        hostileString,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(hostileString, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const fieldName = fc.constantFrom(
      'encryption_key',
      'retention_time',
      'min_backup_count',
      'exclude_from_auto_backup',
      'name',
      'type',
      'connection_url',
      'instances',
      'expires_at',
      'backup_id',
      'id',
      '__proto__',
      'constructor',
    );
    const body = fc.oneof(
      fc.dictionary(fieldName, jsonValue, { maxKeys: 4 }).map((b) => JSON.stringify(b)),
      jsonValue.map((b) => JSON.stringify(b)),
      hostileString,
      fc.constant('{"a":' + '['.repeat(4000)),
      fc.constant(`[${'{"x":'.repeat(2000)}1${'}'.repeat(2000)}]`),
    );
    const authHeader = fc.oneof(
      fc.constant(undefined),
      fc.constant('user'),
      fc.constant('admin'),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Basic YTpi', `Bearer ${'a'.repeat(9000)}`),
      hostileString.map((s) => `Bearer ${s}`),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    );
    const route = fc.constantFrom(
      ...([
        ['get', (i: string) => `/v1/instances/${i}/backups`],
        ['post', (i: string) => `/v1/instances/${i}/backups`],
        ['get', (i: string, b: string) => `/v1/instances/${i}/backups/${b}`],
        ['get', (i: string, b: string) => `/v1/instances/${i}/backups/${b}/download`],
        ['get', (i: string) => `/v1/instances/${i}/backups-config`],
        ['post', (i: string) => `/v1/instances/${i}/restores`],
        ['get', (i: string) => `/v1/instances/${i}/restores`],
        ['get', (i: string, b: string) => `/v1/instances/${i}/restores/${b}`],
        ['patch', (i: string) => `/v1/instances/${i}/backups-config`],
        ['post', () => '/admin/v1/instances'],
        ['get', () => '/admin/v1/instances'],
        ['get', (i: string) => `/admin/v1/instances/${i}`],
        ['delete', (i: string) => `/admin/v1/instances/${i}x`],
        ['post', () => '/admin/v1/tokens'],
        ['get', () => '/admin/v1/tokens'],
        ['delete', (i: string) => `/admin/v1/tokens/${i}`],
        ['put', (i: string) => `/v1/instances/${i}/backups`],
        ['get', () => '/health'],
      ] as const),
    );

    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        route,
        idLike,
        idLike,
        body,
        authHeader,
        contentType,
        fc.boolean(),
        async ([method, path], id, backup, payload, who, type, encode) => {
          // every byte percent-encoded (lone surrogates too), or sent as it is but for / ? # \\ (which
          // a URL parser reads as separators)
          const seg = (s: string) =>
            encode
              ? [...Buffer.from(s, 'utf8')]
                  .map((b) => `%${b.toString(16).padStart(2, '0')}`)
                  .join('')
              : s.replace(/[/?#\\]/g, '_');
          const url = path(seg(id), seg(backup));
          let req = t.http[method](url);
          if (who !== undefined)
            req = req.set(
              'Authorization',
              who === 'user' ? auth() : who === 'admin' ? `Bearer ${t.adminToken}` : who,
            );
          if (type) req = req.set('Content-Type', type);
          let res;
          try {
            res = await (method === 'get' ? req : req.send(payload));
          } catch {
            return; // the client refused to send it (e.g. a header with forbidden bytes)
          }
          sent++;
          const where = `${method.toUpperCase()} ${url} → ${res.status} ${res.text?.slice(0, 200)}`;
          expect({ where, server: res.status >= 500 }).toEqual({ where, server: false });
          if (res.status >= 400) {
            const shape = /^\/v1\/instances\/[^/]+\/backups\/[^/]+\/download$/.test(url)
              ? { message: expect.any(String), status: res.status }
              : {
                  error: expect.stringMatching(/^[A-Z][A-Za-z]+$/),
                  description: expect.any(String),
                };
            expect({ where, body: res.body as unknown }).toEqual({ where, body: shape });
          }
        },
      ),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261130), endOnFailure: true },
    );
    expect(sent).toBeGreaterThan(300);
  }, 180000);
});
