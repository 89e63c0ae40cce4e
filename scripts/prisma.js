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
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
