import { execFileSync } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { once } from 'node:events';
import { Client } from 'pg';
import { mariadb } from './support/mariadb';
import { PostgresServer, startPostgresServer } from './support/postgres-server';
import { RedisServer, freePort, startRedisServer } from './support/servers';
import { TestApp, mintToken, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup } from './support/test-worker';

const TIMEOUT_MS = 3000;

/**
 * Day two: a password rotated on the database, given to the service with PATCH; the connection
 * check that tells an operator what works before the night's backup does.
 */
describe('instance credentials and the connection check', () => {
  let t: TestApp;
  let worker: TestWorker;
  let pg: PostgresServer;
  let redis: RedisServer;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
  const sql = async (query: string, database = 'postgres') => {
    const c = new Client({ connectionString: pg.url(database) });
    await c.connect();
    try {
      return (await c.query(query)).rows;
    } finally {
      await c.end();
    }
  };
  const register = (body: Record<string, unknown>, query = '') =>
    t.http
      .post(`/admin/v1/instances${query}`)
      .set(admin())
      .send({ name: 'orders', type: 'postgresql', ...body });
  const check = async (id: string) => {
    const started = Date.now();
    const res = await t.http.post(`/admin/v1/instances/${id}/check`).set(admin()).expect(200);
    return { body: res.body, elapsed: Date.now() - started };
  };
  interface Checked {
    checks: { step: string; status: string; required: boolean; message: string }[];
  }
  const step = (body: Checked, name: string) => body.checks.find((c) => c.step === name);

  beforeAll(async () => {
    pg = await startPostgresServer({ passwords: true });
    await sql("CREATE ROLE orders_app LOGIN PASSWORD 'first-Pa55word'");
    await sql('CREATE DATABASE orders OWNER orders_app');
    await sql('CREATE TABLE items (id int PRIMARY KEY, name text)', 'orders');
    await sql("INSERT INTO items VALUES (1, 'one')", 'orders');
    await sql('ALTER TABLE items OWNER TO orders_app', 'orders');
    redis = await startRedisServer(undefined, ['--requirepass', 'redis-Pa55word']);
    t = await startTestApp({ UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) });
    worker = await startTestWorker(t);
  }, 120000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await redis?.stop();
    pg?.destroy();
  });

  const url = (password: string, role = 'orders_app') =>
    `postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${pg.port}/orders`;

  it('takes a rotated password with PATCH: the next backup works, the old URL is nowhere', async () => {
    const oldPassword = 'first-Pa55word';
    const newPassword = 'second-Pa55word';
    const created = await register({ connection_url: url(oldPassword) }).expect(201);
    const id = created.body.id as string;
    const token = await mintToken(t, [id]);
    const backup = async () => {
      const res = await t.http
        .post(`/v1/instances/${id}/backups`)
        .set('Authorization', `Bearer ${token}`)
        .expect(202);
      return waitForBackup(t, id, token, res.body.id);
    };
    expect((await backup()).status).toBe('done');

    await sql(`ALTER ROLE orders_app PASSWORD '${newPassword}'`);
    const failed = await backup();
    expect(failed.status).toBe('failed');
    const listed = await t.http
      .get(`/admin/v1/backups?instance_id=${id}&status=failed`)
      .set(admin())
      .expect(200);
    expect(listed.body[0].failure_reason).toMatch(/password authentication failed/);

    const checked = await check(id);
    expect(checked.body.ok).toBe(false);
    expect(step(checked.body, 'authenticated')).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('refused the password of role "orders_app"'),
    });

    // a changed type is refused and changes nothing
    const typeChange = await t.http
      .patch(`/admin/v1/instances/${id}`)
      .set(admin())
      .send({ type: 'mariadb', connection_url: url(newPassword) })
      .expect(422);
    expect(typeChange.body.description).toMatch(/type cannot change/);
    expect((await check(id)).body.ok).toBe(false);

    const patched = await t.http
      .patch(`/admin/v1/instances/${id}`)
      .set(admin())
      .send({ connection_url: url(newPassword), name: 'orders (rotated)' })
      .expect(200);
    expect(patched.body).toStrictEqual({
      id,
      name: 'orders (rotated)',
      type: 'postgresql',
      backup_type: 'standard',
      created_at: created.body.created_at,
    });
    expect((await check(id)).body.ok).toBe(true);
    expect((await backup()).status).toBe('done');

    // nowhere: not in any response, any log line, or any column of the service's database
    const dump = execFileSync('pg_dump', ['--data-only', t.databaseUrl], {
      encoding: 'latin1',
      maxBuffer: 256 * 1024 * 1024,
    });
    const texts = [patched.text, listed.text, t.logs.join('\n'), dump];
    for (const text of texts) {
      expect(text).not.toContain(oldPassword);
      expect(text).not.toContain(newPassword);
      expect(text).not.toContain(encodeURIComponent(newPassword));
    }
  });

  it('says why a connection fails: wrong password, nothing listening, no replication', async () => {
    const wrong = await register({ connection_url: url('not-the-password') }).expect(201);
    const result = await check(wrong.body.id);
    expect(result.body).toMatchObject({
      ok: false,
      server_version: null,
      checks: [
        { step: 'reachable', status: 'passed', required: true },
        {
          step: 'authenticated',
          status: 'failed',
          message: expect.stringMatching(
            /refused the password of role "orders_app": set the current password/,
          ),
        },
        { step: 'server_version', status: 'skipped' },
        { step: 'dump_privilege', status: 'skipped' },
        { step: 'replication_privilege', status: 'skipped', required: false },
      ],
    });
    expect(JSON.stringify(result.body)).not.toContain('not-the-password');

    const port = await freePort();
    const nobody = await register({
      connection_url: `postgresql://orders_app:x@127.0.0.1:${port}/orders`,
    }).expect(201);
    const refused = await check(nobody.body.id);
    expect(step(refused.body, 'reachable')).toMatchObject({
      status: 'failed',
      message: `Nothing accepts connections at 127.0.0.1:${port} (connection refused): check the host and port of connection_url.`,
    });

    // continuous archiving needs REPLICATION, which orders_app lacks
    const continuous = await register({
      connection_url: url('second-Pa55word'),
      backup_type: 'continuous_archiving',
    }).expect(201);
    const noReplication = await check(continuous.body.id);
    expect(noReplication.body.ok).toBe(false);
    expect(noReplication.body.server_version).toMatch(/^\d+/);
    expect(step(noReplication.body, 'dump_privilege')?.status).toBe('passed');
    expect(step(noReplication.body, 'replication_privilege')).toStrictEqual({
      step: 'replication_privilege',
      status: 'failed',
      required: true,
      message:
        'Role "orders_app" lacks the REPLICATION attribute that continuous archiving needs: ALTER ROLE "orders_app" REPLICATION.',
    });
    await sql('ALTER ROLE orders_app REPLICATION');
    try {
      expect((await check(continuous.body.id)).body.ok).toBe(true);
    } finally {
      await sql('ALTER ROLE orders_app NOREPLICATION');
    }
  });

  it('answers within UPSTREAM_TIMEOUT_MS when the server never answers', async () => {
    // accepts TCP connections and never says a word
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    try {
      for (const [type, scheme] of [
        ['postgresql', 'postgresql'],
        ['redis', 'redis'],
      ]) {
        const path = type === 'redis' ? '' : '/orders';
        const created = await register({
          type,
          connection_url: `${scheme}://u:p@127.0.0.1:${port}${path}`,
        }).expect(201);
        const result = await check(created.body.id);
        expect(step(result.body, 'reachable')).toMatchObject({
          status: 'failed',
          message: expect.stringContaining(`within ${TIMEOUT_MS} ms (UPSTREAM_TIMEOUT_MS)`),
        });
        // bounded by the setting (a generous margin for a busy machine), not by the server
        expect(result.elapsed).toBeLessThan(TIMEOUT_MS + 20000);
      }
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('refuses failing credentials with ?check=true and changes nothing', async () => {
    const refused = await register(
      { id: 'checked-first', connection_url: url('wrong-one') },
      '?check=true',
    ).expect(422);
    expect(refused.body).toStrictEqual({
      error: 'InvalidParameters',
      description: expect.stringMatching(
        /^The connection check failed, so nothing was changed: PostgreSQL refused the password/,
      ),
    });
    await t.http.get('/admin/v1/instances/checked-first').set(admin()).expect(404);

    const ok = await register(
      { id: 'checked-first', connection_url: url('second-Pa55word') },
      '?check=true',
    ).expect(201);
    const patch = await t.http
      .patch(`/admin/v1/instances/${ok.body.id}?check=true`)
      .set(admin())
      .send({ connection_url: url('wrong-again'), name: 'renamed' })
      .expect(422);
    expect(patch.body.description).toMatch(/refused the password/);
    const shown = await t.http.get(`/admin/v1/instances/${ok.body.id}`).set(admin()).expect(200);
    expect(shown.body.name).toBe('orders');
    expect((await check(ok.body.id)).body.ok).toBe(true);

    await t.http
      .patch(`/admin/v1/instances/${ok.body.id}?check=maybe`)
      .set(admin())
      .send({ name: 'x' })
      .expect(422);
    for (const body of [
      {},
      { credentials: 'x' },
      { name: '' },
      { connection_url: 'mysql://h/db' },
    ]) {
      await t.http.patch(`/admin/v1/instances/${ok.body.id}`).set(admin()).send(body).expect(422);
    }
    await t.http.patch('/admin/v1/instances/nope').set(admin()).send({ name: 'x' }).expect(404);
    expect((await t.http.get(`/admin/v1/instances/${ok.body.id}`).set(admin())).body.name).toBe(
      'orders',
    );
  });

  it('checks MariaDB and Redis as their tools would', async () => {
    mariadb("DROP USER IF EXISTS 'bm_check'@'%'");
    mariadb('CREATE DATABASE IF NOT EXISTS bm_check');
    mariadb('CREATE TABLE IF NOT EXISTS bm_check.open_t (id int)');
    mariadb('CREATE TABLE IF NOT EXISTS bm_check.closed_t (id int)');
    mariadb("CREATE USER 'bm_check'@'%' IDENTIFIED BY 'maria-Pa55word'");
    mariadb("GRANT SELECT ON bm_check.open_t TO 'bm_check'@'%'");
    // sees closed_t (it may write to it) but may not read it
    mariadb("GRANT INSERT ON bm_check.closed_t TO 'bm_check'@'%'");
    try {
      const maria = (password: string) =>
        register({
          type: 'mariadb',
          connection_url: `mariadb://bm_check:${password}@127.0.0.1:3306/bm_check`,
        }).expect(201);
      const wrong = await check((await maria('nope')).body.id);
      expect(step(wrong.body, 'authenticated')).toMatchObject({
        status: 'failed',
        message: expect.stringContaining('MariaDB refused the password of user "bm_check"'),
      });
      const partial = await check((await maria('maria-Pa55word')).body.id);
      expect(partial.body.server_version).toMatch(/MariaDB/);
      expect(step(partial.body, 'dump_privilege')).toMatchObject({
        status: 'failed',
        message: expect.stringContaining('closed_t'),
      });
      mariadb("GRANT SELECT ON bm_check.* TO 'bm_check'@'%'");
      const noEvents = await check((await maria('maria-Pa55word')).body.id);
      expect(step(noEvents.body, 'dump_privilege')).toMatchObject({
        status: 'failed',
        message: expect.stringMatching(
          /^mariadb-dump would fail for user "bm_check": .*show events/,
        ),
      });
      mariadb("GRANT SHOW VIEW, TRIGGER, EVENT ON bm_check.* TO 'bm_check'@'%'");
      expect(await check((await maria('maria-Pa55word')).body.id)).toMatchObject({
        body: { ok: true },
      });
    } finally {
      mariadb("DROP USER IF EXISTS 'bm_check'@'%'");
      mariadb('DROP DATABASE IF EXISTS bm_check');
    }

    const cache = (password: string) =>
      register({
        type: 'redis',
        connection_url: `redis://:${password}@127.0.0.1:${redis.port}`,
      }).expect(201);
    const wrong = await check((await cache('nope')).body.id);
    expect(step(wrong.body, 'authenticated')).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('Redis refused the password'),
    });
    const right = await check((await cache('redis-Pa55word')).body.id);
    expect(right.body).toMatchObject({ ok: true, server_version: expect.stringMatching(/^\d/) });
    expect(step(right.body, 'dump_privilege')?.status).toBe('passed');
  });

  it('answers credentials_updated_by_user with a check of the credentials it holds', async () => {
    const auth = {
      Authorization: `Basic ${Buffer.from(
        `${t.config.backupManagerUsername}:${t.config.backupManagerPassword}`,
      ).toString('base64')}`,
    };
    const broken = await register({ connection_url: url('stale-password') }).expect(201);
    const res = await t.http
      .put(`/backup-manager/instances/${broken.body.id}`)
      .set(auth)
      .send({ exclude_from_auto_backup: true, credentials_updated_by_user: true })
      .expect(422);
    expect(res.body).toStrictEqual({
      error: 'CredentialsOutdated',
      description: expect.stringContaining('no longer work'),
    });
    const config = await t.http
      .get(`/backup-manager/instances/${broken.body.id}/config`)
      .set(auth)
      .expect(200);
    expect(config.body.exclude_from_auto_backup).toBe(false);

    const working = await register({ connection_url: url('second-Pa55word') }).expect(201);
    await t.http
      .put(`/backup-manager/instances/${working.body.id}`)
      .set(auth)
      .send({ credentials_updated_by_user: true })
      .expect(201);
  });
});
