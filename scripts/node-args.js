'use strict';
// The Node flags a process runs with, as package.json's start script of that process has them
// (`start:worker`: `node <flags> dist/worker.js`), so that every other way of starting it (the
// single-machine start, the benchmarks) runs it the same way.
const pkg = require('../package.json');

const SCRIPTS = { 'main.js': 'start:api', 'worker.js': 'start:worker' };

/** The flags between `node` and the entry point in the entry's start script. */
function nodeArgsFor(entry) {
  const script = pkg.scripts[SCRIPTS[entry]] ?? '';
  const words = script.split(/\s+/).filter(Boolean);
  return words.slice(1, words.findIndex((w) => w.endsWith(entry)));
}

module.exports = { nodeArgsFor };
