import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The error body of every route but the download (docs/public-api.md). */
export class ErrorBodyDto {
  @ApiProperty({
    description: 'A single word in camel case that uniquely identifies the error condition.',
    example: 'BackupInProgress',
  })
  error!: string;

  @ApiProperty({
    description: 'A user-facing error message explaining why the request failed.',
    example: 'A backup of instance "pg-1" is already queued or running.',
  })
  description!: string;
}

/** The download route's error body. */
export class DownloadErrorBodyDto {
  @ApiProperty({
    description: 'A user-facing message that can be used to tell the user what went wrong.',
  })
  message!: string;

  @ApiProperty({ description: 'The status code of the error.', example: 412 })
  status!: number;
}

const WHEN: Record<number, string> = {
  400: 'The request is malformed (e.g. a control character in the path).',
  401: 'Missing, malformed, unknown, revoked or expired credentials.',
  403: 'The access token is not granted this instance.',
  404: 'No such instance (deleted ones included), or no such record within it.',
  405: 'The route exists with other methods; `Allow` lists them.',
  409: 'A backup or restore of this instance is already queued or running.',
  410: 'The instance was deregistered (Backup Manager API).',
  412: 'The instance or backup does not exist, or the backup is not downloadable (the message says why).',
  423: 'A restore of this backup is queued or running; delete it once the restore has ended.',
  416: 'The requested byte range lies outside the archive.',
  422: 'The request body or query is invalid; nothing was changed. The description names every offending field.',
  502: 'Redis or the storage backend refused or answered with an error; nothing was queued.',
  503: 'The service’s own database is unreachable; `Retry-After` says when to try again.',
  504: 'Redis or the storage backend did not answer in time; nothing was queued.',
};

/** A status, or a status with what it means on this route when that differs from WHEN. */
type ErrorStatus = number | [number, string];

/** Documents the error statuses a route answers, each with the error body. */
export const ApiErrors = (...statuses: ErrorStatus[]) =>
  applyDecorators(
    ...statuses.map((s) => {
      const [status, description] = typeof s === 'number' ? [s, WHEN[s]] : s;
      return ApiResponse({ status, description, type: ErrorBodyDto });
    }),
  );

/** Documents the download route's error statuses, with its own body (JSON, not an archive). */
export const ApiDownloadErrors = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(DownloadErrorBodyDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHEN[status],
        content: {
          'application/json': { schema: { $ref: getSchemaPath(DownloadErrorBodyDto) } },
        },
      }),
    ),
  );

/**
 * Statuses that any route may answer before it is reached (the path, the headers or a body,
 * even one the route does not take, refused by the HTTP layer); added to every operation.
 */
export const TRANSPORT_ERRORS: Record<number, { description: string }> = {
  400: {
    description:
      'The request is malformed: a control character or broken percent-encoding in the path, or a header Node cannot parse.',
  },
  405: { description: 'The path exists with other methods; `Allow` lists them.' },
  413: { description: 'The request body is larger than 100 kB.' },
  415: { description: 'The request body is JSON in a charset other than UTF-8.' },
  431: { description: 'The request headers are too large.' },
};

/** What routes of a throttled scheme (THROTTLED_AUTH) answer besides their own errors. */
export const THROTTLED_ERRORS: Record<number, { description: string }> = {
  429: {
    description:
      'This client address failed to authenticate AUTH_FAILURES_PER_MINUTE times within the last minute; `Retry-After` says when to try again.',
  },
};

/** Security scheme names of the OpenAPI document. */
export const PUBLIC_AUTH = 'access-token';
export const ADMIN_AUTH = 'admin-token';
export const METRICS_AUTH = 'metrics-token';
export const BACKUP_MANAGER_AUTH = 'backup-manager';

/** The schemes whose failures are held back per address (AuthFailures): 429 on their routes. */
export const THROTTLED_AUTH = [ADMIN_AUTH, METRICS_AUTH, BACKUP_MANAGER_AUTH];
