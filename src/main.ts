import 'reflect-metadata';
import { createApp } from './app.factory';
import { bootstrapProcess, exitOnStartFailure } from './bootstrap';

/** The API process: answers HTTP, enqueues work, never runs a backup itself. */
async function main(): Promise<void> {
  const { config, logger } = bootstrapProcess();
  const app = await createApp(config, logger);
  await app.listen(config.port, '0.0.0.0').catch((err) => exitOnStartFailure(err, logger, 'PORT'));
  logger.log(`API listening on port ${config.port}`, 'Main');
}

void main();
