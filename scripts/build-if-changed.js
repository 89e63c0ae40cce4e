#!/usr/bin/env node
// `npm start`'s build step: generates the Prisma client and builds dist/ only when a source
// changed since the last build (a hash of src/, the schema, the configs and the lockfile,
// kept in dist/.build-hash), so a second start on an unchanged tree starts at once.
'use strict';
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const stampFile = path.join(root, 'dist', '.build-hash');
const inputs = ['src', 'web', 'prisma/schema.prisma', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function* files(rel) {
  const full = path.join(root, rel);
  const stat = fs.statSync(full, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isFile()) {
    yield rel;
    return;
  }
  for (const name of fs.readdirSync(full).sort()) {
    const child = path.join(rel, name);
    if (child === path.join('src', 'generated')) continue; // derived from the schema
    yield* files(child);
  }
}

const hash = createHash('sha256');
for (const input of inputs) {
  for (const file of files(input)) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(root, file))).update('\0');
  }
}
const digest = hash.digest('hex');
const built =
  fs.existsSync(path.join(root, 'dist', 'main.js')) &&
  fs.existsSync(path.join(root, 'src', 'generated', 'prisma')) &&
  fs.existsSync(stampFile) &&
  fs.readFileSync(stampFile, 'utf8').trim() === digest;
if (built) {
  console.log('build is up to date with the sources; not rebuilding');
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['run', '--silent', 'db:generate'], { cwd: root, stdio: 'inherit' });
execFileSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
fs.writeFileSync(stampFile, `${digest}\n`);
