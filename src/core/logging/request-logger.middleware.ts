import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const logger = new Logger('Http');

/**
 * One line per request: method, path (never the query string or headers, which may carry
 * secrets), status, duration and the request id.
 */
export function requestLogger(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.log({
      msg: 'request',
      method: req.method,
      path: req.path,
      status: res.statusCode,
      requestId: res.getHeader('X-Request-Id'),
      ms: Math.round(ms * 10) / 10,
    });
  });
  next();
}
