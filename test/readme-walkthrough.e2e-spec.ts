import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, testDatabaseName } from './support/databases';
import { dropDatabases } from './support/postgres-fixtures';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { deleteQueueKeys } from './support/redis-keys';
import { freePort } from './support/servers';
import { TEST_SETTINGS } from './support/settings';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The README's "First steps with curl" script, for this test's API and database. */
function walkthrough(base: string, db: string): string {
  const block = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((b) => b.startsWith('api=http://localhost:3000'));
  if (!block) throw new Error('the README has no walkthrough starting with api=…');
  // the base URL and the database are each set once, in the first lines
  return block
    .replace(/^api=http:\/\/localhost:3000/m, `api=${base}`)
    .replace(/^db=shop\b/m, `db=${db}`);
}

/**
 * The README's walkthrough, pasted into bash as a newcomer would, against an API and a worker
 * started from the directory it expects: it ends with the restored rows, and it stops with the
 * error body at the first call that fails.
 */
describe('the README walkthrough', () => {
  let dir: string;
  let db: { url: string; drop: () => Promise<void> };
  let api: RunningProcess;
  let worker: RunningProcess;
  let base: string;
  const prefix = `bm-readme-${randomBytes(4).toString('hex')}`;
  const databases: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bm-readme-'));
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, WORKER_METRICS_PORT: '0' };
    api = startEntry('main.ts', { ...env, PORT: String(port) }, dir);
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 180000, `API on port ${port}`);
    // after the API generated ./data/master-key, which the worker then reads
    worker = startEntry('worker.ts', env, dir);
    await waitFor(
      async () => (await fetch(`${base}/health/ready`)).ok,
      180000,
      'a worker to report itself',
    );
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await db?.drop();
    await dropDatabases(databases);
    await deleteQueueKeys(TEST_SETTINGS.redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (script: string) =>
    spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 240000 });

  it('backs up, downloads, opens and restores, ending with the rows back', () => {
    const name = testDatabaseName('readme');
    databases.push(name);
    const result = run(walkthrough(base, name));
    expect(result.stderr).not.toMatch(/curl: \(\d+\)/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/COPY public\.orders/);
    expect(result.stdout.trim().split('\n').pop()).toBe('2');
  });

  it('stops at the first failing call and shows its error body', () => {
    const name = testDatabaseName('readme');
    databases.push(name);
    const script = walkthrough(base, name).replace(
      'ADMIN_TOKEN=$(cat data/admin-token)',
      'ADMIN_TOKEN=not-the-admin-token',
    );
    const result = run(script);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('"error":"Unauthorized"');
    // nothing after it ran: no backup was triggered, no archive downloaded
    expect(result.stdout).not.toMatch(/COPY public\.orders/);
  });
});
