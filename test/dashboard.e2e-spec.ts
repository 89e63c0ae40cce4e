import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DASHBOARD_CSP } from '../src/dashboard/serve-dashboard';
import { decryptWithOpenssl } from './support/archives';
import { databaseUrl } from './support/databases';
import {
  createSourceDatabase,
  dropDatabases,
  fingerprint,
  psql,
} from './support/postgres-fixtures';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker } from './support/test-worker';
import { forget, launchBrowser, signIn as signInAt, trackedPage } from './support/browser';

const XSS_NAME = '<img src=x onerror=alert(1)>';

/**
 * The dashboard in a real Chromium against the real API: signing in with a token, the fleet,
 * signing out, and nothing a user typed ever running as code.
 */
describe('the dashboard', () => {
  let t: TestApp;
  let worker: TestWorker;
  let base: string;
  const databases: string[] = [];
  let browser: Browser;
  let page: Page;
  /** console errors, uncaught page errors and dialogs: each test ends with none */
  let problems: string[];

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    browser = await launchBrowser();
    worker = await startTestWorker(t);
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await t?.close();
    await dropDatabases(databases);
  });
  beforeEach(async () => {
    ({ page, problems } = await trackedPage(browser));
  });
  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  /** A backup record of an instance, finished `at`, as a worker would have left it. */
  async function backupRow(
    instanceId: string,
    number: number,
    status: 'done' | 'failed',
    at: number,
    reason?: string,
    size = 0,
  ) {
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId },
    });
    await t.prisma.backupRow.create({
      data: {
        instanceId,
        number,
        backupId: `${instanceId}-${at}`,
        status,
        encryptionKeyId: activeKeyId,
        triggeredAt: new Date(at - 60_000),
        startedAt: new Date(at - 60_000),
        finishedAt: new Date(at),
        failureReason: reason ?? null,
        size,
      },
    });
  }

  const signIn = (token: string) => signInAt(page, base, token);

  it('is served with a strict Content-Security-Policy', async () => {
    const res = await page.goto(`${base}/ui/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
  });

  it('signs the admin in to the fleet, which lists every registered instance as text', async () => {
    const plain = await registerInstance(t, { name: 'orders-db' });
    const broken = await registerInstance(t, {
      name: 'billing-db',
      type: 'mariadb',
      connection_url: 'mariadb://root@127.0.0.1:3306/billing',
    });
    const hour = 3_600_000;
    await backupRow(plain.id, 1, 'done', Date.now() - 3 * hour);
    await backupRow(broken.id, 1, 'done', Date.now() - 30 * hour);
    await backupRow(
      broken.id,
      2,
      'failed',
      Date.now() - 2 * hour,
      'mariadb-dump exited with code 2: Access denied',
    );
    const hostile = await registerInstance(t, {
      name: XSS_NAME,
      type: 'redis',
      connection_url: 'redis://127.0.0.1:6379',
    });
    await signIn(t.adminToken);
    const rows = page.locator('tbody tr');
    await rows.filter({ hasText: plain.id }).waitFor();
    expect(await rows.filter({ hasText: plain.id }).textContent()).toContain('orders-db');
    // the name is shown as the characters it is, and no element was made of it
    const row = rows.filter({ hasText: hostile.id });
    expect(await row.locator('td').first().textContent()).toBe(XSS_NAME);
    expect(await page.locator('tbody img').count()).toBe(0);
    // registered just now and never backed up: pending its first scheduled backup, not red
    expect(await row.locator('td.pending').textContent()).toContain('none yet');
    expect(await row.locator('td.late').count()).toBe(0);
    // failing first, then by name; the counts on top
    expect(await rows.first().textContent()).toContain('billing-db');
    const counts = page.getByRole('list', { name: 'At a glance' });
    expect(await counts.textContent()).toContain('1 failing');
    expect(await counts.textContent()).toContain('0 overdue');
    // backed up 3 h ago: not overdue
    const fresh = rows.filter({ hasText: plain.id }).locator('td').nth(4);
    expect(await fresh.textContent()).toBe('3 h ago');
    expect(await fresh.getAttribute('class')).toBeNull();
    // last success 30 h ago and a failure since: both in red, with the reason
    const failing = rows.filter({ hasText: broken.id });
    expect(await failing.locator('td').nth(4).textContent()).toContain('30 h ago');
    expect(await failing.locator('td').nth(5).textContent()).toContain('Access denied');
    await page.getByLabel('Needs attention only').check();
    expect(await rows.count()).toBe(1);
    await page.getByLabel('Needs attention only').uncheck();
    // the token stayed in the tab, not in the address or a cookie
    expect(page.url()).not.toContain(t.adminToken);
    expect(await page.context().cookies()).toEqual([]);

    if (process.env.DASHBOARD_SCREENSHOTS) {
      // `DASHBOARD_SCREENSHOTS=1 npx jest test/dashboard` renews the README's picture
      await page.setViewportSize({ width: 1280, height: 560 });
      await page.screenshot({ path: 'docs/dashboard-fleet.png' });
    }
    await page.getByLabel('Type').selectOption('redis');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(hostile.id);
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Search').fill('orders');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(plain.id);

    // an instance from the fleet: its backups with the reasons, and what the operator can do
    await page.getByLabel('Search').fill('');
    await page.getByRole('link', { name: 'billing-db' }).click();
    await page.getByRole('heading', { name: /billing-db/ }).waitFor();
    const history = page.locator('table.backups tbody tr');
    expect(await history.count()).toBe(2);
    expect(await history.first().textContent()).toContain('Access denied');
    const actions = page.getByRole('group', { name: 'Actions' }).getByRole('button');
    expect(await actions.allTextContents()).toEqual([
      'Back up now',
      'Verify now',
      'Check connection',
      'Edit connection',
      'Deregister',
    ]);
    // its newest done backup (1) is what Verify now verifies: never verified so far
    expect(await page.locator('.verification').textContent()).toBe(
      'Verification of backup 1: not verified yet',
    );
    await page.getByRole('link', { name: '← Fleet' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();

    // a large fleet: the first 100 rows, then more on request; the search covers them all
    await t.prisma.$executeRaw`
      INSERT INTO instances (id, name, type, credentials)
      SELECT 'filler-' || n, 'zz-filler-' || lpad(n::text, 3, '0'), 'redis', '\\x00'::bytea
      FROM generate_series(1, 250) n`;
    await page.reload();
    await page.getByLabel('Search').waitFor();
    const total = await t.prisma.instance.count({ where: { deletedAt: null } });
    await page.getByText(`Showing 100 of ${total}.`).waitFor();
    expect(await rows.count()).toBe(100);
    await page.getByRole('button', { name: 'Show 100 more' }).click();
    expect(await rows.count()).toBe(200);
    await page.getByRole('button', { name: `Show all ${total}` }).click();
    expect(await rows.count()).toBe(total);
    expect(await page.getByText(/^Showing/).count()).toBe(0);
    await page.getByLabel('Search').fill('zz-filler-250');
    expect(await rows.count()).toBe(1);
    await t.prisma.instance.deleteMany({ where: { id: { startsWith: 'filler-' } } });
  });

  it('refuses a token that does not open it, saying so', async () => {
    await signIn('not-a-token-of-this-service');
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'unknown, revoked or expired',
    );
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    // the browser reports the API's 401s (admin, then access token) as failed loads: the only
    // messages this test expects
    expect(problems).toEqual(
      Array(2).fill(
        'console: Failed to load resource: the server responded with a status of 401 (Unauthorized)',
      ),
    );
    problems.length = 0;
  });

  it('opens only its instances to an access token: back up, restore, and the config', async () => {
    const db = await createSourceDatabase();
    databases.push(db);
    const before = fingerprint(db);
    const mine = await registerInstance(t, { name: 'shop-db', connection_url: databaseUrl(db) });
    const other = await registerInstance(t, { name: 'someone-elses-db' });
    await signIn(mine.token);
    // the admin route refused the token before /v1/instances took it: the browser logs that 401
    await page.getByRole('heading', { name: 'Your instances' }).waitFor();
    forget(problems, (p) => p.includes('status of 401'));
    const listed = page.locator('table.fleet tbody tr');
    expect(await listed.count()).toBe(1);
    expect(await listed.first().textContent()).toContain(mine.id);
    expect(await page.content()).not.toContain(other.id);

    // a key of the user's own: the archive is theirs to download and open
    await t.http
      .patch(`/v1/instances/${mine.id}/backups-config`)
      .set('Authorization', `Bearer ${mine.token}`)
      .send({ encryption_key: 'dashboard-user-key' })
      .expect(200);
    await page.getByRole('link', { name: 'shop-db' }).click();
    await page.getByRole('button', { name: 'Back up now' }).click();
    const backup = page.locator('table.backups tbody tr').first();
    // the list is read again while the backup runs, without a reload
    await backup.locator('td', { hasText: /^done/ }).waitFor({ timeout: 120_000 });
    expect(await backup.locator('td').first().textContent()).toBe('1');

    // Download saves the archive under the API's name, and it opens with the documented commands
    const saving = page.waitForEvent('download');
    await backup.getByRole('button', { name: 'Download backup 1' }).click();
    const saved = await saving;
    expect(saved.suggestedFilename()).toMatch(/\.tgz$/);
    const dir = mkdtempSync(join(tmpdir(), 'bm-dashboard-'));
    await saved.saveAs(join(dir, 'backup.tgz'));
    const dump = readFileSync(
      decryptWithOpenssl(join(dir, 'backup.tgz'), 'dashboard-user-key', dir),
      'utf8',
    );
    expect(dump).toContain('PostgreSQL database dump');

    // the data changes; Restore asks first, naming the instance whose data it replaces
    psql(db, 'DELETE FROM orders; DELETE FROM customers');
    expect(fingerprint(db)).not.toBe(before);
    await backup.getByRole('button', { name: 'Restore backup 1' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toContain('shop-db');
    expect(await confirm.textContent()).toContain(mine.id);
    // it goes ahead only once the instance's name is typed
    const go = confirm.getByRole('button', { name: 'Restore backup 1' });
    expect(await go.isDisabled()).toBe(true);
    await confirm.getByLabel(/to confirm/).fill('shop-d');
    expect(await go.isDisabled()).toBe(true);
    await confirm.getByLabel(/to confirm/).fill('shop-db');
    await go.click();
    const restore = page.locator('table.restores tbody tr').first();
    await restore.locator('td', { hasText: /^done/ }).waitFor({ timeout: 120_000 });
    expect(fingerprint(db)).toBe(before);

    // a key too short: the API's 422 sentence at the key's field, and nothing saved
    await page.getByLabel(/New encryption key/).fill('short');
    await page.getByLabel('Retention (days)').fill('9');
    await page.getByRole('button', { name: 'Save' }).click();
    const keyError = page.locator('#encryption_key-error');
    await keyError.waitFor();
    expect(await keyError.textContent()).toContain('at least 8 characters');
    expect(await page.getByLabel(/New encryption key/).getAttribute('aria-describedby')).toBe(
      'encryption_key-error',
    );
    forget(problems, (p) => p.includes('status of 422'));
    const stored = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: mine.id },
    });
    expect(stored.retentionTime).not.toBe(9);
    // a good one is saved, and the field is emptied: the key is never shown again
    await page.getByLabel(/New encryption key/).fill('a-long-secret-key');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByLabel(/New encryption key/).inputValue()).toBe('');
    expect(await page.getByLabel('Retention (days)').inputValue()).toBe('9');
  });

  it('shows a live progress bar while a backup runs', async () => {
    const db = await createSourceDatabase();
    databases.push(db);
    // ~200 MB of dump: long enough for the worker to report several times on any machine
    psql(
      db,
      'CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS a FROM generate_series(1, 3000000) g',
    );
    const mine = await registerInstance(t, { name: 'big-db', connection_url: databaseUrl(db) });
    // an earlier backup's size is the estimate the bar measures against
    await backupRow(mine.id, 1, 'done', Date.now() - 3_600_000, undefined, 100 * 1024 ** 2);
    await t.prisma.instance.update({ where: { id: mine.id }, data: { lastBackupNumber: 1 } });
    await signIn(mine.token);
    await page.getByRole('link', { name: 'big-db' }).click();
    forget(problems, (p) => p.includes('status of 401'));
    await page.getByRole('button', { name: 'Back up now' }).click();
    const backup = page.locator('table.backups tbody tr', {
      has: page.locator('td:first-child', { hasText: /^2$/ }),
    });
    await backup.waitFor();
    const bar = backup.getByRole('progressbar', { name: 'Backup 2: archive written' });
    // what the bar shows, read until the backup is done, without a reload
    const seen: number[] = [];
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      // status and bar in one read: the bar goes away the moment the row turns done
      const { status, value } = await backup.evaluate((row) => ({
        status: row.querySelectorAll('td')[1]?.textContent ?? '',
        value:
          row
            .querySelector('progress[aria-label="Backup 2: archive written"]')
            ?.getAttribute('value') ?? null,
      }));
      if (status.startsWith('done')) break;
      if (value !== null && Number(value) !== seen[seen.length - 1]) seen.push(Number(value));
      if (process.env.DASHBOARD_SCREENSHOTS && seen.filter((v) => v > 0).length === 1) {
        await page.setViewportSize({ width: 1280, height: 720 });
        await page.screenshot({ path: 'docs/dashboard-instance.png', fullPage: true });
      }
      await page.waitForTimeout(100);
    }
    expect(await backup.locator('td').nth(1).textContent()).toMatch(/^done/);
    expect(await bar.count()).toBe(0);
    // the bar moved: it filled in steps, never going back
    expect(seen.filter((v) => v > 0).length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    // sizes and durations of the recent backups, the newest last, each bar named
    const sizes = page.getByRole('img', { name: /^Size of the last 2 backups/ });
    const done = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: mine.id, number: 2 },
    });
    const mib = (Number(done.size) / 1024 ** 2).toFixed(1);
    expect(await sizes.getAttribute('aria-label')).toContain(`newest (2): ${mib} MiB`);
    expect(await sizes.locator('rect').count()).toBe(2);
    expect(await sizes.locator('title').last().textContent()).toMatch(
      new RegExp(`^Backup 2 \\(.+\\): ${mib.replace('.', '\\.')} MiB$`),
    );
    await page.getByRole('img', { name: /^Duration of the last 2 backups/ }).waitFor();
  });

  it('restores a continuous-archiving instance to a moment picked inside its window', async () => {
    // nothing listens on port 1: the instance's receiver fails quietly, its records are made here
    const mine = await registerInstance(t, {
      name: 'ledger-db',
      backup_type: 'continuous_archiving',
      connection_url: 'postgresql://postgres@127.0.0.1:1/ledger',
    });
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: mine.id },
    });
    const start = new Date(Date.now() - 30 * 60_000);
    const end = new Date(Date.now() - 5 * 60_000);
    const { lastBackupNumber: number } = await t.prisma.instance.update({
      where: { id: mine.id },
      data: { lastBackupNumber: { increment: 1 } },
    });
    await t.prisma.backupRow.create({
      data: {
        instanceId: mine.id,
        number,
        backupId: `${mine.id}-${start.getTime()}`,
        status: 'done',
        encryptionKeyId: activeKeyId,
        triggeredAt: new Date(start.getTime() - 60_000),
        startedAt: new Date(start.getTime() - 60_000),
        finishedAt: start,
        walStartLsn: '0/2000028',
      },
    });
    await t.prisma.walSegment.create({
      data: {
        instanceId: mine.id,
        timeline: 1,
        segment: '000000010000000000000002',
        startLsn: '0/2000000',
        endLsn: '0/3000000',
        storageKey: `${mine.id}/wal/000000010000000000000002`,
        size: 1n,
        sha256: 'a'.repeat(64),
        encryptionKeyId: activeKeyId,
        newestCommitAt: end,
      },
    });
    await signIn(mine.token);
    await page.getByRole('link', { name: 'ledger-db' }).click();
    forget(problems, (p) => p.includes('status of 401'));
    const section = page.getByRole('region', { name: 'Restore to a moment' });
    await section.waitFor();
    const local = (ms: number) =>
      new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    // the picker is bounded by the window, to whole seconds inside it
    const picker = section.getByLabel('Moment');
    expect(await picker.getAttribute('min')).toBe(local(Math.ceil(start.getTime() / 1000) * 1000));
    expect(await picker.getAttribute('max')).toBe(local(Math.floor(end.getTime() / 1000) * 1000));
    expect(await section.getByRole('img').getAttribute('aria-label')).toContain('1 base backups');

    // the timeline has a time axis, and a click on it picks the moment under the pointer
    const timeline = section.getByRole('img');
    expect(await timeline.locator('.tick text').count()).toBeGreaterThan(0);
    const box = (await timeline.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 4);
    const picked = Date.parse(await picker.inputValue());
    expect(picked).toBeGreaterThan(start.getTime() + 5 * 60_000);
    expect(picked).toBeLessThan(end.getTime() - 5 * 60_000);

    // a moment before the window: the browser refuses the form, nothing is asked or sent
    await picker.fill(local(start.getTime() - 60_000));
    await section.getByRole('button', { name: 'Restore to this moment' }).click();
    expect(
      await picker.evaluate(
        (el) =>
          (el as unknown as { validity: { rangeUnderflow: boolean } }).validity.rangeUnderflow,
      ),
    ).toBe(true);
    expect(await page.getByRole('alertdialog').count()).toBe(0);

    // ten minutes into the window: asked first, naming the instance and the moment
    const moment = new Date(Math.ceil(start.getTime() / 1000) * 1000 + 10 * 60_000);
    await picker.fill(local(moment.getTime()));
    await section.getByRole('button', { name: 'Restore to this moment' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toContain(moment.toISOString());
    expect(await confirm.textContent()).toContain('ledger-db');
    await confirm.getByLabel(/to confirm/).fill('ledger-db');
    await confirm.getByRole('button', { name: 'Restore to this moment' }).click();
    await page.locator('table.restores tbody tr').first().waitFor();
    const restore = await t.prisma.restore.findFirstOrThrow({ where: { instanceId: mine.id } });
    expect(restore.pointInTime).toEqual(moment);
  });

  it('is usable from the keyboard alone, with every stop named and its focus shown', async () => {
    const inst = await registerInstance(t, { name: 'keyboard-db' });
    await page.goto(`${base}/ui/`);
    /** the focused element: its tag, its accessible name, and its outline */
    const focused = () =>
      page.evaluate(() => {
        type El = {
          tagName: string;
          textContent: string | null;
          getAttribute(n: string): string | null;
          labels?: Array<{ textContent: string | null }>;
        };
        const g = globalThis as unknown as {
          document: { activeElement: El };
          getComputedStyle(el: El): { outlineStyle: string; outlineWidth: string };
        };
        const el = g.document.activeElement;
        const style = g.getComputedStyle(el);
        const name = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent;
        return {
          tag: el.tagName.toLowerCase(),
          name: name?.trim(),
          outline: `${style.outlineStyle} ${style.outlineWidth}`,
        };
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ tag: 'input', name: 'Token', outline: 'solid 3px' });
    await page.keyboard.type(t.adminToken);
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ tag: 'button', name: 'Sign in', outline: 'solid 3px' });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    // the page's heading has the focus, to be announced; it is no Tab stop of its own
    expect(await focused()).toMatchObject({ tag: 'h1', name: 'Fleet' });
    // Tab through the fleet to the instance's link: every stop named and outlined
    const stops: string[] = [];
    for (let n = 0; n < 200; n++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      expect(f.name).toBeTruthy();
      expect(f.outline).toBe('solid 3px');
      stops.push(`${f.tag}:${f.name}`);
      if (f.tag === 'a' && f.name === 'keyboard-db') break;
    }
    // Tab goes on from the heading: the page's controls (Sign out, in the header before it, is
    // reached with Shift+Tab), then the table's box (which scrolls from the keyboard on a narrow
    // screen), then its links
    expect(stops.slice(0, 5)).toEqual([
      expect.stringMatching(/^select:Type/),
      'input:Needs attention only',
      'input:Search',
      'div:Registered instances, most urgent first',
      expect.stringMatching(/^a:/),
    ]);
    expect(stops[stops.length - 1]).toBe('a:keyboard-db');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /keyboard-db/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/instances/${inst.id}`);
    expect(await focused()).toMatchObject({ tag: 'h1', name: `keyboard-db ${inst.id}` });
  });

  it("shows only the open instance's data when an earlier instance's answer comes late", async () => {
    const slow = await registerInstance(t, { name: 'slow-db' });
    const quick = await registerInstance(t, { name: 'quick-db' });
    await backupRow(slow.id, 1, 'failed', Date.now() - 60_000, 'the reason of slow-db');
    await backupRow(quick.id, 1, 'failed', Date.now() - 60_000, 'the reason of quick-db');
    // slow-db's backups are held until quick-db's page has shown its own
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    await page.route(`**/admin/v1/backups?instance_id=${slow.id}*`, async (route) => {
      held();
      await released;
      await route.continue().catch(() => undefined);
    });
    const settled = page.waitForEvent('requestfinished', {
      predicate: (r) => r.url().includes(`instance_id=${slow.id}`),
    });
    const failed = page.waitForEvent('requestfailed', {
      predicate: (r) => r.url().includes(`instance_id=${slow.id}`),
    });
    await signIn(t.adminToken);
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.getByRole('link', { name: 'slow-db' }).click();
    await holding;
    // the user moves on to quick-db by its address, without a reload
    await page.evaluate(`
      history.pushState(null, '', ${JSON.stringify(`/ui/instances/${quick.id}`)});
      dispatchEvent(new PopStateEvent('popstate'));
    `);
    await page.getByText('the reason of quick-db').waitFor();
    release();
    await Promise.race([settled, failed]);
    // whatever slow-db's answer did, it had its turn to render
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
    );
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('quick-db');
    expect(await page.content()).not.toContain('the reason of slow-db');
    expect(await page.locator('table.backups tbody tr').count()).toBe(1);
    forget(problems, (p) => p.includes('ERR_ABORTED') || p.includes('aborted'));
  });

  it('opens a page from its address, and says when an address is no page', async () => {
    const inst = await registerInstance(t, { name: 'deep-link-db' });
    await signIn(t.adminToken);
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.goto(`${base}/ui/instances/${inst.id}`);
    await page.getByRole('heading', { name: /deep-link-db/ }).waitFor();
    await page.goto(`${base}/ui/no-such-page`);
    await page.getByRole('heading', { name: 'No such page' }).waitFor();
    await page.getByRole('link', { name: 'Go to the start page' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
  });

  it('forgets the token on Sign out: a reload shows the sign-in form', async () => {
    await signIn(t.adminToken);
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.reload();
    await page.getByLabel('Token').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });
});
