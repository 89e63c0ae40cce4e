import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ROOT, fmt, freshStateDatabase, seedInstances, sql, startBenchApi } from './support';

const DB = 'bm_bench_ui';
const INSTANCES = 1000;
const LOADS = 10;

/**
 * The dashboard's fleet page with 1,000 registered instances (three backups each, one in ten
 * failing): time from navigation to the table rendered with every row, over 10 loads in a real
 * Chromium, and the JavaScript it ships, gzipped.
 */
export async function benchUi(): Promise<void> {
  console.log(`\n## Dashboard: the fleet page with ${INSTANCES} instances, ${LOADS} loads`);
  const url = await freshStateDatabase(DB);
  await seedInstances(DB, INSTANCES, "'instance ' || i");
  await sql(
    DB,
    `INSERT INTO backup_rows (instance_id, number, backup_id, status, size, encryption_key_id, triggered_at, started_at, finished_at, failure_reason)
     SELECT k.instance_id, n, k.instance_id || '-' || n,
            CASE WHEN n = 3 AND right(k.instance_id, 1) = '7' THEN 'failed' ELSE 'done' END::backup_status,
            1000, k.id, now() - make_interval(days => 4 - n), now() - make_interval(days => 4 - n),
            now() - make_interval(days => 4 - n),
            CASE WHEN n = 3 AND right(k.instance_id, 1) = '7' THEN 'pg_dump exited with code 1' END
     FROM encryption_keys k CROSS JOIN generate_series(1, 3) n`,
  );
  await sql(DB, 'ANALYZE');
  const { api, base, adminToken } = await startBenchApi(url);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const context = await browser.newContext();
    // signed in: the token is in the tab before the page's script runs
    await context.addInitScript(
      `sessionStorage.setItem('backup-manager.token', ${JSON.stringify(adminToken)})`,
    );
    const page = await context.newPage();
    /** resolves at the first frame with `rows` rows in the table (a locator's wait would poll
     * at growing intervals, up to a second) */
    const rowsShown = (rows: number) =>
      page.waitForFunction(
        (n) =>
          (
            globalThis as unknown as {
              document: { querySelectorAll(s: string): { length: number } };
            }
          ).document.querySelectorAll('tbody tr').length === n,
        rows,
        { polling: 'raf', timeout: 60_000 },
      );
    const firstPage: number[] = [];
    const all: number[] = [];
    for (let i = 0; i <= LOADS; i++) {
      const started = performance.now();
      await page.goto(`${base}/ui/`);
      await rowsShown(100);
      await page.getByText(`Showing 100 of ${INSTANCES}.`).waitFor();
      const shown = performance.now();
      await page.getByRole('button', { name: `Show all ${INSTANCES}` }).click();
      await rowsShown(INSTANCES);
      if (i === 0) continue; // the first load warms up
      firstPage.push((shown - started) / 1000);
      all.push((performance.now() - shown) / 1000);
    }
    const p = (times: number[], q: number) =>
      fmt([...times].sort((a, b) => a - b)[Math.ceil(q * times.length) - 1]);
    console.log(
      `time to the table (its first 100 of ${INSTANCES} rows, the filters over all): p50 ${p(firstPage, 0.5)} s, p95 ${p(firstPage, 0.95)} s (aim < 1 s)`,
    );
    console.log(
      `then Show all ${INSTANCES} → the last row drawn: p50 ${p(all, 0.5)} s, p95 ${p(all, 0.95)} s`,
    );
    const js = gzipSync(readFileSync(join(ROOT, 'dist', 'ui', 'app.js'))).length;
    console.log(`JavaScript shipped, gzipped: ${fmt(js / 1024, 1)} kB (aim < 150 kB)`);
  } finally {
    await browser.close();
    api.kill('SIGTERM');
  }
}
