#!/usr/bin/env node
// Runs the Prisma CLI without its native engines. Prisma 6.19 can migrate through the
// driver adapter (WASM schema engine) and generate a client that needs no query engine;
// the two ENGINE variables stop the CLI from trying to download binaries it will never execute.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/backup_manager',
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
  PRISMA_QUERY_ENGINE_LIBRARY: '/bin/false',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  // no version check or usage report over the network from the CLI
  CHECKPOINT_DISABLE: '1',
};
const cli = path.join(__dirname, '..', 'node_modules', 'prisma', 'build', 'index.js');
// Prisma 6 requires `url` in the schema's datasource, yet warns on every run that the adapter
// of prisma.config.ts is used instead; that warning says nothing actionable, so it is dropped.
// Everything else the CLI prints passes through unchanged.
const NOISE =
  /WARNING: Your schema specifies the following datasource properties but you are using a Driver Adapter[\s\S]*?only using driver adapters\.\n+/;
const preload = path.join(__dirname, 'prisma-engine-timers.js');
const result = spawnSync(process.execPath, ['--require', preload, cli, ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env,
  maxBuffer: 64 * 1024 * 1024,
});
if (result.stdout) process.stdout.write(result.stdout.toString('utf8').replace(NOISE, ''));
process.exit(result.status ?? 1);
