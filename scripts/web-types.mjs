#!/usr/bin/env node
// The dashboard's types of the API (web/src/generated/api-schema.ts), generated from the
// committed OpenAPI document: web/ never copies a DTO. `node scripts/web-types.mjs` writes the
// file (`npm run openapi` does); with `--check` it only says whether the file is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const document = join(root, 'docs', 'openapi.json');
const file = join(root, 'web', 'src', 'generated', 'api-schema.ts');

const ast = await openapiTS(JSON.parse(readFileSync(document, 'utf8')));
const text = [
  '// Generated from docs/openapi.json by `npm run openapi`: do not edit.',
  '/* eslint-disable */',
  astToString(ast),
].join('\n');

if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    console.error(`${file} is not what docs/openapi.json describes: run \`npm run openapi\``);
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
