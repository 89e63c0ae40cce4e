#!/usr/bin/env node
// Builds the dashboard (web/) into dist/ui/, which the API serves at /ui: one minified
// JavaScript module (Preact and the pages), the page and its stylesheet. Part of `npm run build`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'ui');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
esbuild.buildSync({
  entryPoints: [path.join(root, 'web', 'src', 'main.tsx')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css', 'favicon.svg']) {
  fs.copyFileSync(path.join(root, 'web', file), path.join(out, file));
}
