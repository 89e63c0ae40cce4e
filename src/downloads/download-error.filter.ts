import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import {
  BackupNotFoundError,
  InstanceNotFoundError,
  RangeNotSatisfiableError,
} from '../core/errors/domain-errors';
import { ErrorBody, renderError } from '../core/errors/error-body';

/** Paths of the download route, whose errors have a body of their own even before routing. */
export const DOWNLOAD_PATH = /^\/v1\/instances\/[^/]+\/backups\/[^/]+\/download\/?$/;

/** The download route's error body, as docs/public-api.md describes it. */
export const downloadErrorBody = (body: ErrorBody, status: number) => ({
  message: body.description,
  status,
});

/**
 * The download route's own error body, as docs/public-api.md describes it: `{"message": "...", "status": n}`,
 * and 412 (not 404) when the instance or the backup does not exist or does not match.
 */
@Catch()
export class DownloadErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Download');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      // the archive was already streaming: cut the connection so the client sees it incomplete
      this.logger.warn({
        msg: 'download cut short',
        error: err instanceof Error ? err.message : String(err),
      });
      res.destroy();
      return;
    }
    const rendered = renderError(err);
    if (rendered.unexpected) this.logger.error({ msg: 'download failed', err });
    const status =
      err instanceof InstanceNotFoundError || err instanceof BackupNotFoundError
        ? 412
        : rendered.status;
    if (err instanceof RangeNotSatisfiableError)
      res.setHeader('Content-Range', `bytes */${err.size}`);
    res.set(rendered.headers ?? {});
    res.status(status).json(downloadErrorBody(rendered.body, status));
  }
}
