import { ArgumentsHost, Catch, ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import { MethodNotAllowedError } from './domain-errors';
import type { Request, Response } from 'express';
import type { ErrorAnswer } from './error-answer';
import { renderError } from './error-body';

/** Renders every error as `{"error": "...", "description": "..."}` with the status codes of docs/public-api.md. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  /**
   * `allowedMethods` tells which methods have a route for a path, to answer 405 instead of 404;
   * `answerFor` gives the error answer that the route a path leads to declares
   * (`ErrorAnswerOf`), also for errors raised before routing.
   */
  constructor(
    private readonly allowedMethods: (path: string) => string[] = () => [],
    private readonly answerFor: (path: string) => ErrorAnswer | undefined = () => undefined,
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
      this.logger.warn({
        msg: 'response cut short',
        path: req.path,
        error: err instanceof Error ? err.message : String(err),
      });
      res.destroy();
      return;
    }
    const own = this.answerFor(req.path)?.(rendered, err);
    res.set({ ...rendered.headers, ...own?.headers });
    res.status(own?.status ?? rendered.status).json(own?.body ?? rendered.body);
  }
}
