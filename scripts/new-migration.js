#!/usr/bin/env node
// Writes prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the
// committed schema (HEAD) and the edited one. `prisma migrate dev` needs a shadow database,
// which the WASM schema engine cannot use; diffing two datamodels needs none.
// Hand-written SQL (partial indexes, check constraints) is appended to the file by hand.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const name = (process.argv[2] || '').replace(/[^a-z0-9_]/gi, '_');
if (!name) {
  console.error('usage: npm run db:migration -- <name>');
  process.exit(2);
}
const root = path.join(__dirname, '..');
const previous = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bm-schema-')), 'schema.prisma');
fs.writeFileSync(previous, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: root }));
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(root, 'prisma', 'migrations', `${stamp}_${name}`);
const result = spawnSync(
  process.execPath,
  [path.join(__dirname, 'prisma.js'), 'migrate', 'diff', '--from-schema-datamodel', previous,
    '--to-schema-datamodel', path.join(root, 'prisma', 'schema.prisma'), '--script'],
  { cwd: root, encoding: 'utf8' },
);
if (result.status !== 0) {
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), result.stdout);
console.log(`wrote ${path.relative(root, path.join(dir, 'migration.sql'))}`);
