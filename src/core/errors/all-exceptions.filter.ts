import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderError } from './error-body';

/** Renders every error as `{"error": "...", "description": "..."}` with the seed's status codes. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const rendered = renderError(err);
    if (rendered.unexpected) {
      this.logger.error({
        msg: 'request failed',
        method: req.method,
        path: req.path,
        err: err instanceof Error ? err : String(err),
      });
    }
    if (res.headersSent) {
      // A streamed body already started: cut the connection rather than pass off a truncated body.
      res.destroy();
      return;
    }
    res.set(rendered.headers ?? {});
    res.status(rendered.status).json(rendered.body);
  }
}
