import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { STDERR_TAIL_BYTES, spawnFailure, toolFailure } from './dump-process';

export interface RestoreCommand {
  command: string;
  args: string[];
  /** the child's whole environment: secrets go here (or in files), never in args */
  env: Record<string, string>;
  /** strings to blank out of error messages, e.g. the password */
  secrets: string[];
  /** runs once the process is gone, e.g. to remove an option file */
  cleanup?: () => void;
  /** sees everything the tool writes to stderr (which is otherwise kept only for a failure) */
  onStderr?: (text: string) => void;
}

/** A restore the tool refused or could not finish; the message names no secret. */
export class RestoreFailedError extends Error {}

/**
 * Feeds `input` to a restore tool's stdin and resolves once the tool exited with 0. When the
 * input fails (a storage error, bad padding, bad gzip), the tool is killed *before* its stdin
 * closes: a tool that saw a clean end of input would commit what it had read so far, a killed
 * one leaves its transaction to be rolled back by the server.
 */
export function runRestoreTool(cmd: RestoreCommand, input: Readable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, {
      env: cmd.env,
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: true, // Ctrl-C in the worker's terminal must not reach it (see spawnDump)
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      cmd.onStderr?.(text);
      stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
    });
    let inputError: Error | undefined;
    input.once('error', (err: Error) => {
      inputError = err;
      child.kill('SIGKILL');
      input.unpipe(child.stdin);
    });
    // the tool exiting early (it refused the input) closes its stdin under us: not our error
    child.stdin.on('error', () => undefined);
    input.pipe(child.stdin);
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      cmd.cleanup?.();
      if (err) {
        input.destroy();
        reject(err);
      } else resolve();
    };
    child.once('error', (err: NodeJS.ErrnoException) =>
      settle(new RestoreFailedError(spawnFailure(cmd.command, err))),
    );
    child.once('close', (code, signal) => {
      if (inputError) return settle(inputError);
      if (code === 0) return settle();
      settle(new RestoreFailedError(toolFailure(cmd.command, code, signal, stderr, cmd.secrets)));
    });
  });
}

/**
 * The script a restore tool reads: `before`, then `input`, then (once the input ended without
 * error and `check` did not throw) `after`. An input error or a failed check errors the script
 * before `after` is sent.
 */
export function framedInput(
  input: Readable,
  before: string,
  after = '',
  check?: () => Promise<void> | void,
): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from(before);
      for await (const chunk of input) yield chunk as Buffer;
      await check?.();
      if (after) yield Buffer.from(after);
    })(),
  );
}
