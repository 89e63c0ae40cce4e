// Preloaded into the Prisma CLI by prisma.js. The WASM schema engine arms a 10 s timer around
// each migration step (a lock's timeout) and never clears it, so every `migrate deploy` sat idle
// for 10 s after its last line. A timeout only matters while the work it bounds is pending, and
// that work (a query on its socket) keeps the process alive by itself: the engine's timers are
// unref'd, so that the CLI exits when it is done.
'use strict';
const { setTimeout: original } = require('node:timers');

globalThis.setTimeout = function setTimeout(...args) {
  const timer = original(...args);
  if (new Error().stack.includes('wasm://')) timer.unref();
  return timer;
};
