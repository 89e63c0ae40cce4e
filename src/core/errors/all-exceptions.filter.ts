import { ArgumentsHost, Catch, ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import { MethodNotAllowedError } from './domain-errors';
import type { Request, Response } from 'express';
import { ErrorBody, renderError } from './error-body';

/** Renders every error as `{"error": "...", "description": "..."}` with the status codes of docs/public-api.md. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  /**
   * `allowedMethods` tells which methods have a route for a path, to answer 405 instead of 404;
   * `bodyFor` gives the error body of routes that document their own (refused before routing).
   */
  constructor(
    private readonly allowedMethods: (path: string) => string[] = () => [],
    private readonly bodyFor: (
      path: string,
    ) => ((body: ErrorBody, status: number) => object) | undefined = () => undefined,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (err instanceof NotFoundException) {
      // no route for this method and path: another method may have one
      const allowed = this.allowedMethods(req.path);
      if (allowed.length > 0) {
        res.setHeader('Allow', allowed.join(', '));
        err = new MethodNotAllowedError(req.method, allowed);
      }
    }
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
    const own = this.bodyFor(req.path);
    res.status(rendered.status).json(own ? own(rendered.body, rendered.status) : rendered.body);
  }
}
