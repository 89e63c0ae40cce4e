import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchApi } from './api.bench';
import { benchDownload } from './download.bench';
import { benchPipeline } from './pipeline.bench';
import { benchPitr } from './pitr.bench';
import { benchRestore } from './restore.bench';
import { benchRetention } from './retention.bench';
import { benchSchedule } from './schedule.bench';
import { benchUi } from './ui.bench';
import { ROOT, untilDatabaseQuiet } from './support';
import { benchVerify } from './verify.bench';

/**
 * Keeps what the run prints and writes it to `bench/results/<date>-<commit>[-<section>].md`,
 * with the commit, its subject and the machine, so that a figure can be compared with the
 * committed baseline (the newest file there) and a change that worsens one says so.
 */
function recordFigures(only: string | undefined): () => string {
  const lines: string[] = [];
  const print = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
    print(...args);
  };
  return () => {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    const date = new Date().toISOString().slice(0, 10);
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${date}-${commit}${only ? `-${only}` : ''}.md`);
    const head = [
      `<!-- written by npm run bench${only ? ` -- ${only}` : ''} -->`,
      `commit ${commit}${dirty ? ' with uncommitted changes' : ''}: ${git('log', '-1', '--format=%s')}`,
      '',
    ];
    writeFileSync(file, [...head, ...lines, ''].join('\n'));
    return file;
  };
}

/** `npm run bench`: throughput and memory figures, each section side by side with a baseline. */
async function main(): Promise<void> {
  Logger.overrideLogger(false); // the figures are the output
  const only = process.argv[2];
  const write = recordFigures(only);
  console.log(`# backup-manager benchmark — ${cpus().length} cores, node ${process.version}`);
  const sections: Array<[string, () => Promise<void>]> = [
    ['pipeline', benchPipeline],
    ['download', benchDownload],
    ['retention', benchRetention],
    ['schedule', benchSchedule],
    ['restore', benchRestore],
    ['api', benchApi],
    ['pitr', benchPitr],
    ['verify', benchVerify],
    ['ui', benchUi],
  ];
  if (only && !sections.some(([name]) => name === only)) {
    throw new Error(`no bench section "${only}": ${sections.map(([name]) => name).join(', ')}`);
  }
  for (const [name, bench] of sections) {
    if (only && only !== name) continue;
    // what the section before left for autovacuum must not count against this one
    await untilDatabaseQuiet();
    await bench();
  }
  process.stderr.write(`figures written to ${write()}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
