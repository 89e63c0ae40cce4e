import 'reflect-metadata';
import { cpus } from 'node:os';
import { benchDownload } from './download.bench';
import { benchPipeline } from './pipeline.bench';

/** `npm run bench`: throughput and memory figures, each section side by side with a baseline. */
async function main(): Promise<void> {
  console.log(`# backup-manager benchmark — ${cpus().length} cores, node ${process.version}`);
  const only = process.argv[2];
  if (!only || only === 'pipeline') await benchPipeline();
  if (!only || only === 'download') await benchDownload();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
