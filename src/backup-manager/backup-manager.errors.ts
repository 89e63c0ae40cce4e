import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AccessedInstance } from '../access/access.repository';
import { DomainError } from '../core/errors/domain-errors';
import type { ErrorAnswer } from '../core/errors/error-answer';

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
 * 422 `CredentialsOutdated`: the user changed the instance's credentials and the ones this
 * service holds no longer work; the platform operator must update them.
 */
export class CredentialsOutdatedError extends DomainError {
  readonly status = 422;
  readonly code = 'CredentialsOutdated';
}

const RENAMED: Record<string, string> = {
  BackupNotFound: 'NotFound',
  RestoreNotFound: 'NotFound',
};

/**
 * The Backup Manager API's error answer: the service's own status and description, under the
 * names this API's clients know (`NotFound`; `conflict` names a 409 where the route has its own
 * word for it, `RestoreInProgress` for a refused restore).
 */
export const backupManagerErrorAnswer =
  (conflict?: string): ErrorAnswer =>
  ({ status, body }) => ({
    status,
    body: {
      error: status === 409 && conflict ? conflict : (RENAMED[body.error] ?? body.error),
      description: body.description,
    },
  });

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
