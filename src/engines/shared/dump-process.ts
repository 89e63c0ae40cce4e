import { basename } from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { DumpFailedError } from './dump-engine';

/** How much of a tool's stderr is kept to explain its failure. */
export const STDERR_TAIL_BYTES = 2000;

/**
 * A dump that writes nothing for this long is stuck (a host that accepted the connection and
 * went silent; mariadb-dump and redis-cli have no timeout of their own) and is killed. Long
 * enough for a lock wait or for Redis to write its snapshot before the first byte.
 */
export const DUMP_IDLE_TIMEOUT_MS = 15 * 60_000;

export interface DumpCommand {
  command: string;
  args: string[];
  /** the child's whole environment: secrets go here (or in files), never in args */
  env: Record<string, string>;
  /** strings to blank out of error messages, e.g. the password */
  secrets: string[];
  /** runs once the process is gone, e.g. to remove an option file */
  cleanup?: () => void;
  /** how long the tool may write nothing before it is killed; DUMP_IDLE_TIMEOUT_MS if absent */
  idleTimeoutMs?: number;
}

/** The variables a dump tool needs from our own environment; nothing else is inherited. */
export function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

/**
 * Runs a dump tool and returns its stdout. The returned stream ends only after the process
 * exited with 0; otherwise it errors with a DumpFailedError carrying the end of stderr (with
 * secrets removed). Destroying the stream kills the process.
 */
export function spawnDump(cmd: DumpCommand): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const child = spawn(cmd.command, cmd.args, {
    env: cmd.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // a process group of its own: Ctrl-C in the terminal that runs the worker signals the whole
    // foreground group, and must reach the worker (which drains) but not the dump it is running
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  child.stdout.pipe(out, { end: false });
  const idleTimeoutMs = cmd.idleTimeoutMs ?? DUMP_IDLE_TIMEOUT_MS;
  const idle = setTimeout(stuck, idleTimeoutMs);
  child.stdout.on('data', () => idle.refresh());
  function stuck() {
    // not the tool's fault when we are the ones not reading (storage is slow): wait on
    if (out.writableNeedDrain) return idle.refresh();
    finish(
      new DumpFailedError(
        `${basename(cmd.command)} wrote nothing for ${formatDuration(idleTimeoutMs)} and was stopped; is the instance reachable?`,
      ),
    );
    child.kill('SIGKILL');
  }
  let finished = false;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    clearTimeout(idle);
    cmd.cleanup?.();
    if (err) out.destroy(err);
    else out.end();
  };
  child.on('error', (err: NodeJS.ErrnoException) =>
    finish(new DumpFailedError(spawnFailure(cmd.command, err))),
  );
  child.on('close', (code, signal) => {
    if (code === 0) return finish();
    finish(new DumpFailedError(toolFailure(cmd.command, code, signal, stderr, cmd.secrets)));
  });
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!finished) {
      finished = true;
      clearTimeout(idle);
      cmd.cleanup?.();
    }
  });
  return out;
}

function formatDuration(ms: number): string {
  return ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** The text with every secret blanked out. */
/** Why a dump or restore tool did not start, for the user. */
export function spawnFailure(command: string, err: NodeJS.ErrnoException): string {
  return err.code === 'ENOENT'
    ? `${basename(command)} is not installed`
    : `${basename(command)} could not start: ${err.message}`;
}

/** Why a dump or restore tool failed: how it ended and the last lines of its stderr, redacted. */
export function toolFailure(
  command: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  secrets: string[],
): string {
  const detail = redact(stderr.trim(), secrets) || 'no error output';
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return `${basename(command)} ${how}: ${lastLines(detail)}`;
}

export function redact(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('[redacted]'), text);
}

/** The last lines of a tool's error output, on one line. */
export function lastLines(text: string, count = 3): string {
  return text.split('\n').slice(-count).join(' ').replace(/\s+/g, ' ').trim();
}
