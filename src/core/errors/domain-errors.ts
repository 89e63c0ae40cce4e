/**
 * Errors that a request can end in, each with its HTTP status and the single CamelCase word
 * the error body of docs/public-api.md carries. Services throw these; the global filter renders them.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** headers the answer must carry, such as Retry-After */
  readonly headers?: Record<string, string>;
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'Unauthorized';
}

/** A client address that failed to authenticate too often lately; it may try again later. */
export class TooManyAuthFailuresError extends DomainError {
  readonly status = 429;
  readonly code = 'TooManyRequests';
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds: number) {
    super(
      `Too many failed authentications from this address; try again in ${retryAfterSeconds} s.`,
    );
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'Forbidden';
}

export class InstanceNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'InstanceNotFound';
  constructor(instanceId: string) {
    super(`No instance with id "${instanceId}" exists.`);
  }
}

export class BackupNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'BackupNotFound';
  constructor(instanceId: string, backupId: string) {
    super(`Instance "${instanceId}" has no backup with id "${backupId}".`);
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'NotFound';
}

export class AlreadyExistsError extends DomainError {
  readonly status = 409;
  readonly code = 'AlreadyExists';
}

export class BackupInProgressError extends DomainError {
  readonly status = 409;
  readonly code = 'BackupInProgress';
  constructor(instanceId: string) {
    super(`A backup or restore of instance "${instanceId}" is already queued or running.`);
  }
}

export class RestoreNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'RestoreNotFound';
  constructor(instanceId: string, restoreId: string) {
    super(`Instance "${instanceId}" has no restore with id "${restoreId}".`);
  }
}

/** The backup exists but cannot be restored (not done, or pruned); the message says why. */
export class BackupNotRestorableError extends DomainError {
  readonly status = 422;
  readonly code = 'BackupNonRestorableState';
}

/** A path that no route could take (malformed encoding, control characters). */
export class InvalidRequestPathError extends DomainError {
  readonly status = 400;
  readonly code = 'BadRequest';
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = 'MethodNotAllowed';
  constructor(
    method: string,
    readonly allowed: string[],
  ) {
    super(`${method} is not allowed here; this route allows ${allowed.join(', ')}.`);
  }
}

export class InvalidParametersError extends DomainError {
  readonly status = 422;
  readonly code = 'InvalidParameters';
}

/** An upstream (Redis, storage, a database) answered with an error or refused the connection. */
export class UpstreamError extends DomainError {
  readonly status = 502;
  readonly code = 'UpstreamError';
}

/** An upstream did not answer within UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeoutError extends DomainError {
  readonly status = 504;
  readonly code = 'UpstreamTimeout';
}

/** The download route's 412: the backup exists but cannot be handed out; the message says why. */
export class NotDownloadableError extends DomainError {
  readonly status = 412;
  readonly code = 'NotDownloadable';
}

export class RangeNotSatisfiableError extends DomainError {
  readonly status = 416;
  readonly code = 'RangeNotSatisfiable';
  constructor(readonly size: number) {
    super(`The requested range is outside the archive (${size} bytes).`);
  }
}

/** The instance has no point-in-time window: not continuously archived, or none yet. */
export class PointInTimeUnavailableError extends DomainError {
  readonly status = 422;
  readonly code = 'PointInTimeUnavailable';
}

/** A restore asked for a moment the instance's window does not cover; the message gives it. */
export class PointInTimeOutsideWindowError extends DomainError {
  readonly status = 422;
  readonly code = 'PointInTimeOutsideWindow';
}
