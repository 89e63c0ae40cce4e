'use strict';
// Runs several processes side by side for a single-machine start: one that exits unexpectedly
// is started again after a pause (1 s, doubling up to 30 s; back to 1 s once it ran a minute),
// while the others go on. SIGINT and SIGTERM are passed to every process and, once all have
// stopped, end the supervisor with status 0. A process that cannot start as configured (exit
// status 78, EX_CONFIG, or 75, a port another process holds) would fail the same way again:
// everything stops with its status.
const { spawn } = require('node:child_process');

const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;
const FATAL_CODES = new Set([75, 78]);

/**
 * @param {{ name: string, command: string, args: string[], env: NodeJS.ProcessEnv }[]} specs
 * @param {{ log?: (line: string) => void }} [options]
 */
function supervise(specs, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  let stopping = false;
  let exitCode = 0;
  const running = new Map();
  const timers = new Set();

  const start = (spec, pause) => {
    const startedAt = Date.now();
    const child = spawn(spec.command, spec.args, { env: spec.env, stdio: 'inherit' });
    running.set(spec.name, child);
    child.on('exit', (code, signal) => {
      running.delete(spec.name);
      if (stopping) return finishIfDone();
      if (FATAL_CODES.has(code)) {
        exitCode = code;
        log(`backup-manager: the ${spec.name} cannot start (status ${code}); stopping`);
        return stop('SIGTERM');
      }
      const next = Date.now() - startedAt >= HEALTHY_AFTER_MS ? FIRST_PAUSE_MS : pause;
      log(
        `backup-manager: the ${spec.name} exited unexpectedly (${signal ?? `status ${code}`}); ` +
          `starting it again in ${next / 1000} s`,
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) start(spec, Math.min(next * 2, MAX_PAUSE_MS));
      }, next);
      timers.add(timer);
    });
  };

  const finishIfDone = () => {
    if (running.size === 0) process.exit(exitCode);
  };

  const stop = (signal) => {
    stopping = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const child of running.values()) child.kill(signal);
    finishIfDone();
  };

  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop(sig));
  for (const spec of specs) start(spec, FIRST_PAUSE_MS);
}

module.exports = { supervise };
