import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** How long a receiver waits before starting again: doubling after each failed start, to 5 min. */
const RESTART_AFTER_MS = 5_000;
const MAX_RESTART_AFTER_MS = 5 * 60_000;
/** The shortest pause between two shipping passes of one receiver. */
const MIN_SHIP_GAP_MS = 250;
/**
 * A receiving tool (pg_receivewal, mariadb-binlog) that ran this long counts as having worked:
 * the next wait starts over.
 */
export const WORKED_AFTER_MS = 60_000;

/** How long a receiver waits before its next start, after `failures` failed starts in a row. */
export function restartDelayMs(failures: number): number {
  return Math.min(RESTART_AFTER_MS * 2 ** failures, MAX_RESTART_AFTER_MS);
}

/**
 * How long after a shipping pass that took `tookMs` the next one begins: WAL that arrived just
 * after this pass began goes with the next one, which starts early by twice what this one took
 * and a tenth of the interval (the next may take longer), so that it is in storage within the
 * interval; never sooner than MIN_SHIP_GAP_MS.
 */
export function nextPassInMs(tookMs: number, intervalMs: number): number {
  return Math.max(MIN_SHIP_GAP_MS, 0.9 * intervalMs - 2 * tookMs);
}

/**
 * Ships while `tool` receives an instance's log: a pass (`ship`, which never rejects) after
 * `intervalMs`, each next one as nextPassInMs says, and a last one once the tool ended, so that
 * what it wrote last is shipped too. Resolves with how the tool ended, the end of its error
 * output and how long it ran. What runs the receivers (the WAL's, the binlog's) shares it.
 */
export async function shipWhileReceiving(
  tool: ChildProcess,
  intervalMs: number,
  ship: () => Promise<void>,
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ranMs: number;
}> {
  let stderr = '';
  tool.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  tool.once('error', () => undefined);
  const started = Date.now();
  let receiving = true;
  let timer: NodeJS.Timeout | undefined;
  const pass = () => {
    const passStarted = Date.now();
    void ship().then(() => {
      if (!receiving) return;
      timer = setTimeout(pass, nextPassInMs(Date.now() - passStarted, intervalMs));
      timer.unref();
    });
  };
  timer = setTimeout(pass, intervalMs);
  timer.unref();
  const [code, signal] = (await once(tool, 'close')) as [number | null, NodeJS.Signals | null];
  receiving = false;
  clearTimeout(timer);
  await ship();
  return { code, signal, stderr, ranMs: Date.now() - started };
}
