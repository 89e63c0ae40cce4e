import 'reflect-metadata';
import { bootstrapProcess } from './bootstrap';
import { createWorker } from './worker.factory';

/** The worker process: runs queued backups; no HTTP server. */
async function main(): Promise<void> {
  const { config, logger } = bootstrapProcess();
  await createWorker(config, logger);
  logger.log(`worker running ${config.workerConcurrency} job(s) at a time`, 'Main');
}

void main();
