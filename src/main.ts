import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig } from './core/config/app-config';
import { ConfigError } from './core/config/environment';
import { JsonLogger, createRootLogger } from './core/logging/json-logger';

/** The API process: answers HTTP, enqueues work, never runs a backup itself. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`backup-manager: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = new JsonLogger(createRootLogger(config.logLevel));
  Logger.overrideLogger(logger);
  for (const line of config.generatedSecretFiles) logger.log(line, 'Config');
  const app = await createApp(config, logger);
  await app.listen(config.port, '0.0.0.0');
  logger.log(`API listening on port ${config.port}`, 'Main');
}

void main();
