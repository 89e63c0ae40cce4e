#!/usr/bin/env node
// Runs the API and the worker side by side for a single-machine start, forwarding signals and
// stopping both when either exits. Deployments run `npm run start:api` and
// `npm run start:worker` as separate processes instead.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { nodeArgsFor, nodeEnvFor } = require('./node-args');

const entries = ['main.js', 'worker.js'].filter((f) => fs.existsSync(path.join(__dirname, '..', 'dist', f)));
const children = entries.map((f) =>
  spawn(process.execPath, [...nodeArgsFor(f), path.join(__dirname, '..', 'dist', f)], {
    env: { ...process.env, ...nodeEnvFor(f) },
    stdio: 'inherit',
  }),
);
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill(signal);
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop(sig));
let remaining = children.length;
let exitCode = 0;
for (const c of children) {
  c.on('exit', (code, signal) => {
    if (code) exitCode = code;
    else if (signal && !stopping) exitCode = 1;
    stop('SIGTERM');
    if (--remaining === 0) process.exit(exitCode);
  });
}
