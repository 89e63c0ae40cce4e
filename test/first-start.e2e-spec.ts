import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './support/databases';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { freePort } from './support/servers';

/**
 * A newcomer's first start: no ADMIN_TOKEN, no MASTER_KEY, nothing configured but where the
 * database is. The API generates its secrets into ./data/, says where, and the curl steps of
 * the README work.
 */
describe('first start without configuration', () => {
  let dir: string;
  let db: { url: string; drop: () => Promise<void> };
  let api: RunningProcess;
  let port: number;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bm-first-start-'));
    db = await createTestDatabase();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = startEntry('main.ts', { DATABASE_URL: db.url, PORT: String(port) }, dir);
    // our own process says it listens (another one may answer on a port it could not take)
    await waitFor(
      () => Promise.resolve(api.output().includes(`API listening on port ${port}`)),
      180000,
      `API on port ${port}`,
    );
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 180000, `API on port ${port}`);
  });

  afterAll(async () => {
    await api?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates the admin token and master key once into ./data/ and prints where, not what', () => {
    const tokenFile = join(dir, 'data', 'admin-token');
    const keyFile = join(dir, 'data', 'master-key');
    const adminToken = readFileSync(tokenFile, 'utf8').trim();
    expect(adminToken).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(tokenFile).mode & 0o077).toBe(0);
    expect(api.output()).toContain(tokenFile);
    expect(api.output()).not.toContain(adminToken);
    for (const line of api.output().trim().split('\n'))
      expect(() => JSON.parse(line)).not.toThrow();
  });

  it('registers an instance, mints a token and answers the four public routes', async () => {
    const adminToken = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
    const json = { 'Content-Type': 'application/json' };
    const inst = await fetch(`${base}/admin/v1/instances`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        name: 'my db',
        type: 'postgresql',
        connection_url: 'postgresql://postgres@127.0.0.1:5432/test',
      }),
    });
    expect(inst.status).toBe(201);
    const { id } = (await inst.json()) as { id: string };
    const minted = await fetch(`${base}/admin/v1/tokens`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name: 'me', instances: [id] }),
    });
    expect(minted.status).toBe(201);
    const { token } = (await minted.json()) as { token: string };
    const auth = { Authorization: `bearer ${token}` };

    const list = await fetch(`${base}/v1/instances/${id}/backups`, { headers: auth });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([]);
    const one = await fetch(`${base}/v1/instances/${id}/backups/1`, { headers: auth });
    expect(one.status).toBe(404);
    const patch = await fetch(`${base}/v1/instances/${id}/backups-config`, {
      method: 'PATCH',
      headers: { ...json, ...auth },
      body: JSON.stringify({ encryption_key: 'my-secret-key-42', retention_time: 7 }),
    });
    expect(patch.status).toBe(200);
    expect(await patch.json()).toEqual({ message: 'instance updated' });
    const config = await fetch(`${base}/v1/instances/${id}/backups-config`, { headers: auth });
    expect(await config.json()).toEqual({
      min_backup_count: 5,
      retention_time: 7,
      min_encryption_key_length: 8,
      exclude_from_auto_backup: false,
      backup_type: 'standard',
    });
    expect(api.output()).not.toContain('my-secret-key-42');
  });

  it('a second start reuses the generated secrets', () => {
    const again = startEntry('main.ts', { DATABASE_URL: db.url, PORT: '0' }, dir);
    return waitFor(
      () => Promise.resolve(again.output().includes('read from')),
      180000,
      'second start',
    ).finally(() => again.stop());
  });

  it('a second API or a worker on a port in use exits non-zero at once, naming the port and the setting', async () => {
    for (const [entry, setting] of [
      ['main.ts', 'PORT'],
      ['worker.ts', 'WORKER_METRICS_PORT'],
    ]) {
      const started = Date.now();
      const second = startEntry(entry, { DATABASE_URL: db.url, [setting]: String(port) }, dir);
      const code = await new Promise<number | null>((resolve) => second.child.on('exit', resolve));
      expect({ entry, code }).toEqual({ entry, code: 75 });
      expect(second.output()).toContain(`port ${port} (${setting}) is in use`);
      console.log(`${entry} on a port in use exited after ${Date.now() - started} ms`);
    }
    // the first one still serves
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(200);
  });

  it('a bad setting stops the process with a message naming the variable', async () => {
    const bad = startEntry(
      'main.ts',
      { DATABASE_URL: db.url, PORT: 'eighty', UPSTREAM_TIMEOUT_MS: '-1' },
      dir,
    );
    const code = await new Promise<number | null>((resolve) => bad.child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(bad.output()).toContain('PORT');
    expect(bad.output()).toContain('UPSTREAM_TIMEOUT_MS');
  });
});
