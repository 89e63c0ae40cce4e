import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { currentRequestId } from './request-context';

/**
 * Field names whose values never reach a log line, wherever they appear in a logged object.
 * Log messages themselves never interpolate secrets; this is the second line of defence.
 */
export const REDACTED_FIELDS = [
  'authorization',
  'token',
  'encryption_key',
  'encryptionKey',
  'connection_url',
  'connectionUrl',
  'password',
  'masterKey',
  'adminToken',
  'credentials',
];

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Contexts of Nest's own start-up lines: one per module, controller and route. */
const NEST_START_UP = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's logger interface over pino: one JSON object per line on stdout. */
export class JsonLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    // Nest's start-up lines for every module, route and mapping (about ninety of them) say
    // nothing an operator acts on: kept for debugging, not at info
    const context = rest[rest.length - 1];
    const level = typeof context === 'string' && NEST_START_UP.has(context) ? 'debug' : 'info';
    this.write(level, message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, [stack,] context); keep the context as a field. */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    const requestId = currentRequestId();
    if (requestId) fields.requestId = requestId;
    if (stack && level === 'error') fields.stack = stack;
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, ...message });
    } else {
      this.root[level](fields, String(message));
    }
  }
}
