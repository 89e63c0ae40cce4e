import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { databaseUrl } from './support/databases';
import {
  forget,
  launchBrowser,
  scrollWidth,
  seriousViolations,
  signIn,
  trackedPage,
} from './support/browser';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  psql,
} from './support/postgres-fixtures';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker } from './support/test-worker';

/** Generous: a busy machine backs up, verifies and restores slowly. */
const LONG = { timeout: 180_000 };

/**
 * The operator's console in a real Chromium against the real API and a worker: what the admin
 * token does from the dashboard, and the audit log that records it.
 */
describe('the operator console', () => {
  let t: TestApp;
  let worker: TestWorker;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const databases: string[] = [];
  let receiver: Server;
  let receiverUrl: string;
  /** made by the tests before the last, whose pages the last one visits */
  let shop: { id: string; token: string };
  let webhookPath: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchBrowser();
    worker = await startTestWorker(t);
    receiver = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await t?.close();
    await new Promise((r) => receiver?.close(r));
    await dropDatabases(databases);
  });
  beforeEach(async () => {
    ({ page, problems } = await trackedPage(browser));
  });
  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  /** Drops the browser's report of API refusals the test asked for (a 422 it provoked). */
  const expectRefusals = (status: number) => {
    expect(forget(problems, (p) => p.includes(`status of ${status}`))).toBeGreaterThan(0);
  };

  it('backs up, verifies, restores and forks an instance from the fleet, all as the admin', async () => {
    const db = await createSourceDatabase();
    const staging = await createSourceDatabase();
    databases.push(db, staging);
    // enough rows for the worker to report its progress more than once
    psql(
      db,
      'CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS a FROM generate_series(1, 1500000) g',
    );
    psql(staging, 'DELETE FROM orders; DELETE FROM customers');
    const before = fingerprint(db);
    shop = await registerInstance(t, { name: 'shop-db', connection_url: databaseUrl(db) });
    const target = await registerInstance(t, {
      name: 'staging-db',
      connection_url: databaseUrl(staging),
    });
    // an instance whose newest backup failed: the fleet lists it first
    const broken = await registerInstance(t, { name: 'zz-broken-db' });
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: broken.id },
    });
    await t.prisma.instance.update({ where: { id: broken.id }, data: { lastBackupNumber: 1 } });
    await t.prisma.backupRow.create({
      data: {
        instanceId: broken.id,
        number: 1,
        backupId: `${broken.id}-1`,
        status: 'failed',
        encryptionKeyId: activeKeyId,
        failureReason: 'pg_dump exited with code 1: connection refused',
        triggeredAt: new Date(Date.now() - 3_600_000),
        finishedAt: new Date(Date.now() - 3_500_000),
      },
    });

    await signIn(page, base, t.adminToken);
    const rows = page.locator('table.fleet tbody tr');
    await rows.first().waitFor();
    // failing first although its name sorts last; the counts on top say so
    expect(await rows.first().textContent()).toContain('zz-broken-db');
    expect(await page.getByRole('list', { name: 'At a glance' }).textContent()).toContain(
      '1 failing',
    );

    await page.getByRole('link', { name: 'shop-db' }).click();
    await page.getByRole('heading', { name: /shop-db/ }).waitFor();
    await page.getByRole('button', { name: 'Back up now' }).click();
    const backup = page.locator('table.backups tbody tr').first();
    const bar = backup.getByRole('progressbar');
    // the bar shows bytes written while it runs, then the row turns done
    await bar.waitFor(LONG);
    const written: string[] = [];
    for (;;) {
      const { status, text } = await backup.evaluate((row) => ({
        status: row.querySelectorAll('td')[1]?.textContent ?? '',
        text: row.querySelector('.progress span')?.textContent ?? '',
      }));
      if (status.startsWith('done') || status.startsWith('failed')) break;
      if (text && text !== written[written.length - 1]) written.push(text);
      await page.waitForTimeout(100);
    }
    expect(await backup.locator('td').nth(1).textContent()).toMatch(/^done/);
    expect(written.length).toBeGreaterThanOrEqual(1);

    // Verify now: the newest done backup restored in a scratch server, and the outcome shown
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.locator('.verification', { hasText: /: verified/ }).waitFor(LONG);
    expect(await page.locator('.verification').textContent()).toMatch(/tables, \d+ rows/);

    // Restore: the data comes back once the name is typed
    psql(db, 'DELETE FROM orders; DELETE FROM customers');
    await backup.getByRole('button', { name: 'Restore backup 1' }).click();
    let confirm = page.getByRole('alertdialog');
    await confirm.getByLabel(/to confirm/).fill('shop-db');
    await confirm.getByRole('button', { name: 'Restore backup 1' }).click();
    const restores = page.locator('table.restores tbody tr');
    await restores.first().locator('td', { hasText: /^done/ }).waitFor(LONG);
    expect(await restores.first().textContent()).toContain('into this instance');
    expect(fingerprint(db)).toBe(before);

    // Fork into staging-db: only instances of the same type are offered
    await backup.getByRole('button', { name: 'Fork backup 1' }).click();
    const offered = await page.getByLabel('Target instance').locator('option').allTextContents();
    expect(offered).toContain(`staging-db (${target.id})`);
    expect(offered.join()).not.toContain('shop-db');
    await page.getByLabel('Target instance').selectOption(target.id);
    await page.getByRole('button', { name: 'Next' }).click();
    confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toContain('staging-db');
    await confirm.getByLabel(/to confirm/).fill('staging-db');
    await confirm.getByRole('button', { name: 'Fork into staging-db' }).click();
    const fork = restores.filter({ hasText: 'from this instance into staging-db' });
    await fork.locator('td', { hasText: /^done/ }).waitFor(LONG);
    expect(fingerprint(staging)).toBe(before);
    // the target's page lists the restore into it, from where it came
    await page.goto(`${base}/ui/instances/${target.id}`);
    const into = page.locator('table.restores tbody tr', {
      hasText: 'into this instance from shop-db',
    });
    await into.waitFor();
    expect(await into.textContent()).toContain('done');
  });

  it('checks, edits and deregisters an instance, each refusal shown where it belongs', async () => {
    const db = await createSourceDatabase();
    databases.push(db);
    const inst = await registerInstance(t, { name: 'edit-db', connection_url: databaseUrl(db) });
    const stored = async () =>
      (await t.prisma.instance.findUniqueOrThrow({ where: { id: inst.id } })).credentials;
    const sealed = await stored();
    await signIn(page, base, t.adminToken);
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.goto(`${base}/ui/instances/${inst.id}`);
    await page.getByRole('heading', { name: /edit-db/ }).waitFor();

    // Check connection: each step with what it found
    await page.getByRole('button', { name: 'Check connection' }).click();
    const check = page.locator('.check');
    await check.waitFor(LONG);
    expect(await check.textContent()).toContain('Connection works');
    expect(await check.textContent()).toContain('reachable: passed');

    // Edit: a connection that fails its check is refused at its field, and nothing changes
    await page.getByRole('button', { name: 'Edit connection' }).click();
    await page.getByLabel(/^New connection URL/).fill('postgresql://nobody@127.0.0.1:1/edit');
    await page.getByRole('button', { name: 'Check and save' }).click();
    const urlError = page.locator('#connection_url-error');
    await urlError.filter({ hasText: 'connection check failed' }).waitFor(LONG);
    expect(await stored()).toEqual(sealed);
    expectRefusals(422);
    // a new name with the stored connection: checked and saved
    await page.getByLabel(/^New connection URL/).fill('');
    await page.getByLabel('Name', { exact: true }).fill('edit-db-renamed');
    await page.getByRole('button', { name: 'Check and save' }).click();
    await page.getByText('Saved: the connection check passed.').waitFor(LONG);
    await page.getByRole('heading', { name: /edit-db-renamed/ }).waitFor();

    // Deregister: only once the name is typed; then the fleet, without it
    await page.getByRole('button', { name: 'Deregister' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByLabel(/to confirm/).fill('edit-db');
    expect(await confirm.getByRole('button', { name: 'Deregister' }).isDisabled()).toBe(true);
    await confirm.getByLabel(/to confirm/).fill('edit-db-renamed');
    await confirm.getByRole('button', { name: 'Deregister' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    expect(await page.locator('table.fleet').textContent()).not.toContain(inst.id);
    const gone = await t.prisma.instance.findUniqueOrThrow({ where: { id: inst.id } });
    expect(gone.deletedAt).not.toBeNull();
  });

  it('registers an instance through the form, checking the connection first', async () => {
    await signIn(page, base, t.adminToken);
    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Register an instance' }).waitFor();
    const count = () => t.prisma.instance.count({ where: { deletedAt: null } });
    const registered = await count();
    await page.getByLabel('Name').fill('orders-db');
    // a URL that is no URL: the API's sentence at the field, nothing saved
    await page.getByLabel(/^Connection URL/).fill('not a url');
    await page.getByRole('button', { name: 'Check and register' }).click();
    const urlError = page.locator('#connection_url-error');
    await urlError.waitFor();
    expect(await urlError.textContent()).toContain('connection_url');
    expect(await page.getByLabel(/^Connection URL/).getAttribute('aria-describedby')).toBe(
      'connection_url-error',
    );
    // a server nobody answers at: the failed check is shown, nothing saved
    await page.getByLabel(/^Connection URL/).fill('postgresql://nobody@127.0.0.1:1/orders');
    await page.getByRole('button', { name: 'Check and register' }).click();
    await urlError.filter({ hasText: 'connection check failed' }).waitFor(LONG);
    expect(await count()).toBe(registered);
    expectRefusals(422);

    // a working one: saved, and its page opens
    const db = await createSourceDatabase();
    databases.push(db);
    await page.getByLabel(/^Connection URL/).fill(databaseUrl(db));
    await page.getByRole('button', { name: 'Check and register' }).click();
    await page.getByRole('heading', { name: /^orders-db/ }).waitFor(LONG);
    expect(await count()).toBe(registered + 1);
  });

  it('mints a token whose secret is shown once', async () => {
    const inst = await registerInstance(t, { name: 'token-db' });
    await signIn(page, base, t.adminToken);
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel(/^Name/).fill('reporting');
    await page.getByLabel(/^Instances it opens/).fill(inst.id);
    await page.getByRole('button', { name: 'Mint' }).click();
    const secret = await page.locator('[data-secret]').textContent();
    expect(secret).toBeTruthy();
    // it works, for that instance
    const mine = await t.http
      .get('/v1/instances')
      .set('Authorization', `Bearer ${secret}`)
      .expect(200);
    expect(mine.body.map((i: { id: string }) => i.id)).toEqual([inst.id]);
    expect(await page.locator('table.tokens').textContent()).toContain('reporting');
    // shown once: after a reload the page holds it nowhere
    await page.reload();
    await page.locator('table.tokens').waitFor();
    expect(await page.content()).not.toContain(secret!);
  });

  it('creates a webhook and pings it: a 200 delivery listed with its attempt', async () => {
    await signIn(page, base, t.adminToken);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('Receiver URL').fill(receiverUrl);
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.locator('[data-secret]').textContent()).toMatch(/\S{16,}/);
    await page.getByRole('link', { name: receiverUrl }).click();
    await page.getByRole('button', { name: 'Send a test ping' }).click();
    webhookPath = new URL(page.url()).pathname;
    const delivery = page.locator('table.deliveries tbody tr', { hasText: 'ping' });
    await delivery.locator('td', { hasText: /^delivered$/ }).waitFor(LONG);
    expect(await delivery.textContent()).toContain('HTTP 200');
  });

  it('lists each of these actions in the audit log, with its actor and outcome', async () => {
    await signIn(page, base, t.adminToken);
    await page.getByRole('link', { name: 'Audit' }).click();
    const audit = page.locator('table.audit tbody tr');
    await audit.first().waitFor();
    const lines = (await audit.allTextContents()).join('\n');
    for (const [action, status] of [
      ['POST /admin/v1/instances/:id/backups', '202'],
      ['POST /admin/v1/instances/:id/backups/:number/verify', '202'],
      ['POST /admin/v1/instances/:id/restores', '202'],
      ['POST /admin/v1/instances', '422'],
      ['POST /admin/v1/instances', '201'],
      ['POST /admin/v1/tokens', '201'],
      ['POST /admin/v1/webhooks', '201'],
      ['POST /admin/v1/webhooks/:id/ping', '202'],
    ]) {
      const row = audit.filter({
        has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${action}$`) }),
      });
      const outcomes = await row.locator('td:nth-child(6)').allTextContents();
      expect({ action, outcomes }).toEqual({ action, outcomes: expect.arrayContaining([status]) });
      expect(await row.first().locator('td').nth(1).textContent()).toBe('admin');
    }
    // filtered by actor: nothing of the admin's when only tokens are asked for
    await page.getByLabel('Actor').selectOption('token');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No request matches.').waitFor();
    expect(lines).not.toContain(t.adminToken);
  });

  it('fits every page on a phone, and axe finds nothing serious on any', async () => {
    /** each page, who sees it, and what shows that it has loaded */
    const pages: Array<{ name: string; token: string | null; path: string; ready: RegExp }> = [
      { name: 'sign-in', token: null, path: '/ui/', ready: /^backup-manager$/ },
      { name: 'fleet', token: t.adminToken, path: '/ui/', ready: /^Fleet$/ },
      { name: 'instance', token: t.adminToken, path: `/ui/instances/${shop.id}`, ready: /shop-db/ },
      { name: 'register', token: t.adminToken, path: '/ui/register', ready: /^Register/ },
      { name: 'tokens', token: t.adminToken, path: '/ui/tokens', ready: /^Access tokens$/ },
      { name: 'webhooks', token: t.adminToken, path: '/ui/webhooks', ready: /^Webhooks$/ },
      { name: 'webhook', token: t.adminToken, path: webhookPath, ready: /^Webhook / },
      { name: 'audit', token: t.adminToken, path: '/ui/audit', ready: /^Audit log$/ },
      { name: 'not-found', token: t.adminToken, path: '/ui/nowhere', ready: /^No such page$/ },
      { name: 'my-instances', token: shop.token, path: '/ui/', ready: /^Your instances$/ },
      {
        name: 'my-instance',
        token: shop.token,
        path: `/ui/instances/${shop.id}`,
        ready: /shop-db/,
      },
    ];
    const found: Record<string, { width: number; violations: string[] }> = {};
    for (const p of pages) {
      await page.setViewportSize({ width: 1280, height: 800 });
      if (p.token) await signIn(page, base, p.token);
      else await page.goto(`${base}/ui/`);
      await page.getByRole('heading', { level: 1, name: /./ }).first().waitFor();
      if (p.path !== '/ui/') await page.goto(`${base}${p.path}`);
      await page.getByRole('heading', { level: 1, name: p.ready }).waitFor();
      // tables and forms that load after the heading
      await page.waitForLoadState('networkidle');
      const wide = await seriousViolations(page);
      await page.setViewportSize({ width: 390, height: 844 });
      const narrow = await seriousViolations(page);
      found[p.name] = { width: await scrollWidth(page), violations: [...wide, ...narrow] };
      if (process.env.DASHBOARD_SCREENSHOTS) {
        await page.screenshot({ path: `docs/screenshots/phone-${p.name}.png`, fullPage: true });
      }
      await page.evaluate('sessionStorage.clear()');
    }
    for (const [name, f] of Object.entries(found)) {
      expect({ name, ...f }).toEqual({ name, width: expect.any(Number), violations: [] });
      expect({ name, fits: f.width <= 390 }).toEqual({ name, fits: true });
    }
    // the access token's sign-in asked the admin route first: the browser logs that 401
    forget(problems, (p) => p.includes('status of 401') || p.includes('status of 404'));
  });
});
