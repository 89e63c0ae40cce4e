import { TestApp, registerInstance, startTestApp } from './support/test-app';

const DEFAULT_CONFIG = {
  min_backup_count: 5,
  retention_time: 5,
  min_encryption_key_length: 8,
  exclude_from_auto_backup: false,
  backup_type: 'standard',
};

describe('backups-config', () => {
  let t: TestApp;
  let instance: { id: string; token: string };
  const url = () => `/v1/instances/${instance.id}/backups-config`;
  const auth = () => ({ Authorization: `Bearer ${instance.token}` });

  beforeAll(async () => {
    t = await startTestApp();
    instance = await registerInstance(t);
  });
  afterAll(() => t.close());

  it('GET answers the a9s fields with the defaults of a new instance', async () => {
    const res = await t.http.get(url()).set(auth()).expect(200);
    expect(res.body).toStrictEqual(DEFAULT_CONFIG);
    expect(Object.keys(res.body)).toEqual(Object.keys(DEFAULT_CONFIG));
  });

  describe('an invalid PATCH is a 422 and changes nothing', () => {
    const invalidBodies: Array<[string, string]> = [
      ['empty object', '{}'],
      ['malformed JSON', '{"retention_time": '],
      ['a JSON array', '[{"retention_time": 1}]'],
      ['a JSON string', '"retention_time"'],
      ['JSON null', 'null'],
      ['unknown field', '{"foo": 1}'],
      ['unknown field beside a valid one', '{"retention_time": 1, "color": "red"}'],
      ['backup_type is not updatable', '{"backup_type": "continuous_archiving"}'],
      ['min_encryption_key_length is not updatable', '{"min_encryption_key_length": 4}'],
      ['negative min_backup_count', '{"min_backup_count": -1}'],
      ['fractional min_backup_count', '{"min_backup_count": 1.5}'],
      ['min_backup_count as a string', '{"min_backup_count": "5"}'],
      ['min_backup_count null', '{"min_backup_count": null}'],
      ['min_backup_count beyond the maximum', '{"min_backup_count": 100000000000}'],
      ['negative retention_time', '{"retention_time": -3}'],
      ['retention_time as a boolean', '{"retention_time": true}'],
      ['fractional retention_time', '{"retention_time": 0.5}'],
      ['exclude_from_auto_backup as a string', '{"exclude_from_auto_backup": "true"}'],
      ['exclude_from_auto_backup as a number', '{"exclude_from_auto_backup": 1}'],
      ['encryption_key too short', '{"encryption_key": "short"}'],
      ['encryption_key of 7 characters', '{"encryption_key": "1234567"}'],
      ['encryption_key longer than 1024', JSON.stringify({ encryption_key: 'k'.repeat(1025) })],
      ['encryption_key as a number', '{"encryption_key": 12345678}'],
      ['encryption_key null', '{"encryption_key": null}'],
      ['encryption_key with a newline', JSON.stringify({ encryption_key: 'abcdefgh\nijk' })],
      ['one valid and one invalid field', '{"retention_time": 9, "min_backup_count": -1}'],
      [
        'valid key with an invalid count',
        JSON.stringify({ encryption_key: 'a-valid-key-123', min_backup_count: 'x' }),
      ],
    ];

    it.each(invalidBodies)('%s', async (_name, body) => {
      const keysBefore = await t.prisma.encryptionKey.count({ where: { instanceId: instance.id } });
      const res = await t.http
        .patch(url())
        .set(auth())
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(422);
      expect(res.body).toStrictEqual({
        error: expect.any(String),
        description: expect.any(String),
      });
      expect(res.body.error).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(res.body.description.length).toBeGreaterThan(10);
      const after = await t.http.get(url()).set(auth()).expect(200);
      expect(after.body).toStrictEqual(DEFAULT_CONFIG);
      expect(await t.prisma.encryptionKey.count({ where: { instanceId: instance.id } })).toBe(
        keysBefore,
      );
    });

    it('names the offending field in the description', async () => {
      const res = await t.http.patch(url()).set(auth()).send({ min_backup_count: -1 }).expect(422);
      expect(res.body.description).toContain('min_backup_count');
      const short = await t.http
        .patch(url())
        .set(auth())
        .send({ encryption_key: 'abc' })
        .expect(422);
      expect(short.body.description).toContain('at least 8 characters');
    });

    it('a body that is not JSON is refused, naming the Content-Type it needs', async () => {
      const res = await t.http
        .patch(url())
        .set(auth())
        .set('Content-Type', 'text/plain')
        .send('retention_time=1')
        .expect(422);
      expect(res.body).toEqual({
        error: 'InvalidParameters',
        description: expect.stringContaining('"Content-Type: application/json"'),
      });
      expect(res.body.description).toContain('text/plain');
    });
  });

  it('a valid PATCH answers {"message": "instance updated"} and GET reflects it', async () => {
    const other = await registerInstance(t);
    const otherUrl = `/v1/instances/${other.id}/backups-config`;
    const res = await t.http
      .patch(otherUrl)
      .set('Authorization', `Bearer ${other.token}`)
      .send({ min_backup_count: 0, retention_time: 12, exclude_from_auto_backup: true })
      .expect(200);
    expect(res.body).toStrictEqual({ message: 'instance updated' });
    const after = await t.http
      .get(otherUrl)
      .set('Authorization', `Bearer ${other.token}`)
      .expect(200);
    expect(after.body).toStrictEqual({
      ...DEFAULT_CONFIG,
      min_backup_count: 0,
      retention_time: 12,
      exclude_from_auto_backup: true,
    });
  });

  it('honours MIN_ENCRYPTION_KEY_LENGTH', async () => {
    const strict = await startTestApp({ MIN_ENCRYPTION_KEY_LENGTH: '20' });
    try {
      const inst = await registerInstance(strict);
      const u = `/v1/instances/${inst.id}/backups-config`;
      const a = { Authorization: `Bearer ${inst.token}` };
      expect((await strict.http.get(u).set(a).expect(200)).body.min_encryption_key_length).toBe(20);
      await strict.http.patch(u).set(a).send({ encryption_key: 'nineteen-characters' }).expect(422);
      await strict.http
        .patch(u)
        .set(a)
        .send({ encryption_key: 'twenty-characters-ok' })
        .expect(200);
    } finally {
      await strict.close();
    }
  });

  it('the encryption key is stored sealed, never returned or logged, and rotation keeps the old key', async () => {
    const inst = await registerInstance(t);
    const u = `/v1/instances/${inst.id}/backups-config`;
    const a = { Authorization: `Bearer ${inst.token}` };
    const firstKey = 'first-key-Zq81xLmP';
    const secondKey = 'second-key-Wv42nRtB';
    const responses: string[] = [];
    for (const key of [firstKey, secondKey]) {
      const res = await t.http.patch(u).set(a).send({ encryption_key: key }).expect(200);
      responses.push(res.text);
      responses.push((await t.http.get(u).set(a).expect(200)).text);
    }
    for (const text of [...responses, ...t.logs]) {
      expect(text).not.toContain(firstKey);
      expect(text).not.toContain(secondKey);
    }
    const keys = await t.prisma.encryptionKey.findMany({
      where: { instanceId: inst.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(keys.map((k) => k.origin)).toEqual(['platform', 'user', 'user']);
    const config = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: inst.id },
    });
    expect(config.activeKeyId).toBe(keys[2].id);
    const dump = await t.prisma.$queryRawUnsafe<Array<{ row: string }>>(
      `SELECT row_to_json(k)::text AS row FROM encryption_keys k WHERE instance_id = $1`,
      inst.id,
    );
    for (const { row } of dump) {
      expect(row).not.toContain(firstKey);
      expect(row).not.toContain(Buffer.from(firstKey).toString('hex'));
      expect(row).not.toContain(Buffer.from(secondKey).toString('hex'));
    }
  });
});
