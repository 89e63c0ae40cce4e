'use strict';
// How a process runs, as package.json's start script of that process has it
// (`start:worker`: `NAME=value … node <flags> dist/worker.js`), so that every other way of
// starting it (the single-machine start, the benchmarks) runs it the same way.
const pkg = require('../package.json');

const SCRIPTS = { 'main.js': 'start:api', 'worker.js': 'start:worker' };

const words = (entry) => (pkg.scripts[SCRIPTS[entry]] ?? '').split(/\s+/).filter(Boolean);

/** The environment variables set before `node` in the entry's start script. */
function nodeEnvFor(entry) {
  const all = words(entry);
  const env = {};
  for (const w of all.slice(0, all.indexOf('node'))) {
    const eq = w.indexOf('=');
    env[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return env;
}

/** The flags between `node` and the entry point in the entry's start script. */
function nodeArgsFor(entry) {
  const all = words(entry);
  return all.slice(all.indexOf('node') + 1, all.findIndex((w) => w.endsWith(entry)));
}

module.exports = { nodeArgsFor, nodeEnvFor };
