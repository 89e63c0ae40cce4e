import { Logger, LoggerService } from '@nestjs/common';
import { AppConfig } from './core/config/app-config';
import { ConfigError } from './core/config/environment';
import { JsonLogger, createRootLogger } from './core/logging/json-logger';
import { failContainingWork } from './core/async/contain-failures';

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
  // what nothing caught still reaches the log as one JSON line, not a plain stack trace; inside
  // a job (containFailures) it fails that job with its reason, and the process goes on serving
  // the others
  process.on('unhandledRejection', (reason) => {
    const contained = failContainingWork(reason);
    logger.error(
      {
        msg: `unhandled promise rejection${contained ? ' in a job, which fails' : ''}`,
        err: reason,
      },
      'Process',
    );
  });
  process.on('uncaughtException', (err) => {
    if (failContainingWork(err)) {
      logger.error({ msg: 'uncaught exception in a job, which fails; going on', err }, 'Process');
      return;
    }
    logger.fatal({ msg: 'uncaught exception, exiting', err }, 'Process');
    process.exit(70); // EX_SOFTWARE
  });
  return { config, logger };
}

/**
 * Ends a process whose start failed, in one line an operator can act on: a port that another
 * process holds is named with the setting that chose it (a second `npm start` beside a running
 * one must not hang with an unhandled rejection).
 */
export function exitOnStartFailure(err: unknown, logger: LoggerService, setting: string): never {
  const code = (err as NodeJS.ErrnoException).code;
  const port = (err as { port?: number }).port;
  const line =
    code === 'EADDRINUSE'
      ? `port ${port} (${setting}) is in use by another process: stop that one or set ${setting} to a free port`
      : `the process could not start: ${err instanceof Error ? err.message : String(err)}`;
  logger.fatal?.({ msg: line }, 'Main');
  process.stderr.write(`backup-manager: ${line}\n`);
  process.exit(code === 'EADDRINUSE' ? 75 : 70); // EX_TEMPFAIL: another process holds it
}
