import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/processes';

/**
 * `npm start`'s supervisor (scripts/supervise.js) with two stand-in processes: one that crashes
 * is started again while the other keeps running; SIGTERM stops both and ends with status 0; a
 * process that cannot start as configured stops everything.
 */
describe('the single-machine start', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bm-supervise-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A supervisor over `steady` (runs until told to stop) and `crashing` (its `script`). */
  function supervisor(crashing: string) {
    const steady = `require('fs').appendFileSync(process.argv[1] + '/steady', process.pid + '\\n');
      process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`;
    const script = `require(${JSON.stringify(join(process.cwd(), 'scripts/supervise.js'))}).supervise([
      { name: 'steady', command: process.execPath, args: ['-e', ${JSON.stringify(steady)}, ${JSON.stringify(dir)}], env: {} },
      { name: 'crashing', command: process.execPath, args: ['-e', ${JSON.stringify(crashing)}, ${JSON.stringify(dir)}], env: {} },
    ]);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output };
  }
  const lines = (file: string) =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n') : [];

  it('starts a process that crashed again, leaves the other alone, and stops both on SIGTERM', async () => {
    // crashes on its first two starts, then runs
    const crashing = `const f = process.argv[1] + '/starts'; require('fs').appendFileSync(f, 'x');
      if (require('fs').readFileSync(f, 'utf8').length <= 2) process.exit(1);
      process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`;
    const s = supervisor(crashing);
    await waitFor(
      () =>
        Promise.resolve(
          existsSync(join(dir, 'starts')) && readFileSync(join(dir, 'starts'), 'utf8').length >= 3,
        ),
      120000,
      'the third start of the crashing process',
    );
    expect(s.output()).toMatch(
      /the crashing exited unexpectedly \(status 1\); starting it again in 1 s/,
    );
    expect(s.output()).toMatch(/starting it again in 2 s/);
    // the other process was never restarted
    expect(lines('steady')).toHaveLength(1);
    expect(s.child.exitCode).toBeNull();
    s.child.kill('SIGTERM');
    const [code] = (await once(s.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(() => process.kill(Number(lines('steady')[0]), 0)).toThrow();
  });

  it('stops everything when a process cannot start as configured (status 78)', async () => {
    const s = supervisor(`process.exit(78)`);
    const [code] = (await once(s.child, 'exit')) as [number | null];
    expect(code).toBe(78);
    expect(s.output()).toMatch(/the crashing cannot start \(status 78\); stopping/);
  });
});
