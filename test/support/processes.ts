import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { TEST_SETTINGS } from './settings';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts one of the service's entry points (src/main.ts, src/worker.ts) as its own process,
 * compiled on the fly, exactly as `node dist/<entry>.js` would run it.
 */
export function startEntry(
  entry: string,
  env: Record<string, string>,
  cwd: string,
  { ownGroup = false }: { ownGroup?: boolean } = {},
): RunningProcess {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src', entry)],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        REDIS_URL: TEST_SETTINGS.redisUrl,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // in a process group of its own, as a terminal's foreground job is: a signal sent to the
      // group reaches the process and everything it started, as Ctrl-C does
      detached: ownGroup,
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** Polls until `check` resolves truthy or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
