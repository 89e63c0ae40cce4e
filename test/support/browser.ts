import { readFileSync } from 'node:fs';
import { Browser, Page, chromium } from 'playwright-core';
import { TEST_SETTINGS } from './settings';

/** Debian's chromium: the browser builds that playwright downloads are not used. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: TEST_SETTINGS.chromiumPath, args: ['--no-sandbox'] });
}

/**
 * A new page whose console errors, uncaught errors and dialogs are collected: a test ends with
 * none it did not expect (`problems.splice` what it expected).
 */
export async function trackedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const problems: string[] = [];
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

/** Drops from `problems` those a test expected (a refusal it provoked); returns how many. */
export function forget(problems: string[], expected: (problem: string) => boolean): number {
  const kept = problems.filter((p) => !expected(p));
  const dropped = problems.length - kept.length;
  problems.splice(0, problems.length, ...kept);
  return dropped;
}

export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/ui/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations of the page as it is now: rule, and where. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // evaluated through the browser's debugging protocol: the page's CSP does not apply
  await page.evaluate(AXE);
  const found = await page.evaluate<Array<{ id: string; impact: string | null; nodes: string[] }>>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
  );
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

/** How wide the page's content is: more than the viewport means it scrolls sideways. */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>('document.scrollingElement.scrollWidth');
}
