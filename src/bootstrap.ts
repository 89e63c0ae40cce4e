import { Logger } from '@nestjs/common';
import { AppConfig } from './core/config/app-config';
import { ConfigError } from './core/config/environment';
import { JsonLogger, createRootLogger } from './core/logging/json-logger';

/**
 * What both entry points do first: read the configuration (a bad value ends the process with
 * a message naming the variable) and switch every log line to JSON.
 */
export function bootstrapProcess(): { config: AppConfig; logger: JsonLogger } {
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
  // what nothing caught still reaches the log as one JSON line, not a plain stack trace
  process.on('unhandledRejection', (reason) =>
    logger.error({ msg: 'unhandled promise rejection', err: reason }, 'Process'),
  );
  process.on('uncaughtException', (err) => {
    logger.fatal({ msg: 'uncaught exception, exiting', err }, 'Process');
    process.exit(70); // EX_SOFTWARE
  });
  return { config, logger };
}
