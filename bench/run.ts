import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { cpus } from 'node:os';
import { benchApi } from './api.bench';
import { benchDownload } from './download.bench';
import { benchPipeline } from './pipeline.bench';
import { benchPitr } from './pitr.bench';
import { benchRestore } from './restore.bench';
import { benchRetention } from './retention.bench';
import { benchUi } from './ui.bench';
import { benchVerify } from './verify.bench';

/** `npm run bench`: throughput and memory figures, each section side by side with a baseline. */
async function main(): Promise<void> {
  Logger.overrideLogger(false); // the figures are the output
  console.log(`# backup-manager benchmark — ${cpus().length} cores, node ${process.version}`);
  const only = process.argv[2];
  if (!only || only === 'pipeline') await benchPipeline();
  if (!only || only === 'download') await benchDownload();
  if (!only || only === 'retention') await benchRetention();
  if (!only || only === 'restore') await benchRestore();
  if (!only || only === 'api') await benchApi();
  if (!only || only === 'pitr') await benchPitr();
  if (!only || only === 'verify') await benchVerify();
  if (!only || only === 'ui') await benchUi();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
