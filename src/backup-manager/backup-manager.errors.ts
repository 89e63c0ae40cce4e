import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  createParamDecorator,
  ExecutionContext,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AccessedInstance } from '../access/access.repository';
import { DomainError } from '../core/errors/domain-errors';
import { renderError } from '../core/errors/error-body';

/** 404 `InstanceNotFound`: no instance with this id was ever registered. */
export class UnknownInstanceError extends DomainError {
  readonly status = 404;
  readonly code = 'InstanceNotFound';
  constructor(iid: string) {
    super(`No instance with id "${iid}" is registered with this backup manager.`);
  }
}

/** 410 `InstanceNotFound`: the instance was deregistered; its backups go with retention. */
export class InstanceGoneError extends DomainError {
  readonly status = 410;
  readonly code = 'InstanceNotFound';
  constructor(iid: string) {
    super(`Instance "${iid}" has been deregistered; it can no longer be backed up or restored.`);
  }
}

/** 423 `Locked`: a restore of this backup is queued or running. */
export class BackupLockedError extends DomainError {
  readonly status = 423;
  readonly code = 'Locked';
}

/**
 * The error names this API's clients know (`NotFound`, `RestoreInProgress`, …), over the
 * service's own: the status and the description stay; the name is the contract's.
 */
const RENAMED: Record<string, string> = {
  BackupNotFound: 'NotFound',
  RestoreNotFound: 'NotFound',
};

@Catch()
export class BackupManagerErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('BackupManager');

  catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const rendered = renderError(err);
    let error = RENAMED[rendered.body.error] ?? rendered.body.error;
    // a backup or a restore already queued or running: for a restore request, say so
    if (rendered.status === 409 && /\/restore$/.test(req.path)) {
      error = 'RestoreInProgress';
    }
    if (rendered.unexpected) {
      this.logger.error({
        msg: 'request failed',
        method: req.method,
        path: req.path,
        err: err instanceof Error ? err : String(err),
      });
    }
    for (const [name, value] of Object.entries(rendered.headers ?? {})) res.setHeader(name, value);
    res.status(rendered.status).json({ error, description: rendered.body.description });
  }
}

/** The instance that BackupManagerGuard resolved for this request. */
export const ManagedInstance = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AccessedInstance => {
    const instance = ctx
      .switchToHttp()
      .getRequest<Request & { instance?: AccessedInstance }>().instance;
    if (!instance) throw new Error('ManagedInstance used on a route without :iid');
    return instance;
  },
);
