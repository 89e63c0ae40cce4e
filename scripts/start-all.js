#!/usr/bin/env node
// Runs the API and the worker side by side for a single-machine start (scripts/supervise.js:
// one that stops unexpectedly is started again, the other goes on; Ctrl-C stops both).
// Deployments run `npm run start:api` and `npm run start:worker` as separate processes, under
// their own supervisor, instead.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { nodeArgsFor, nodeEnvFor } = require('./node-args');
const { supervise } = require('./supervise');

const names = { 'main.js': 'API', 'worker.js': 'worker' };
supervise(
  Object.keys(names)
    .filter((f) => fs.existsSync(path.join(__dirname, '..', 'dist', f)))
    .map((f) => ({
      name: names[f],
      command: process.execPath,
      args: [...nodeArgsFor(f), path.join(__dirname, '..', 'dist', f)],
      env: { ...process.env, ...nodeEnvFor(f) },
    })),
);
