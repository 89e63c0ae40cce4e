import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

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
  412: 'The instance or backup does not exist, or the backup is not downloadable (the message says why).',
  416: 'The requested byte range lies outside the archive.',
  422: 'The request body or query is invalid; nothing was changed. The description names every offending field.',
  502: 'Redis or the storage backend refused or answered with an error; nothing was queued.',
  503: 'The service’s own database is unreachable; `Retry-After` says when to try again.',
  504: 'Redis or the storage backend did not answer in time; nothing was queued.',
};

/** Documents the error statuses a route answers, each with the error body. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: WHEN[status], type: ErrorBodyDto }),
    ),
  );

/** Documents the download route's error statuses, with its own body. */
export const ApiDownloadErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: WHEN[status], type: DownloadErrorBodyDto }),
    ),
  );

/** Security scheme names of the OpenAPI document. */
export const PUBLIC_AUTH = 'access-token';
export const ADMIN_AUTH = 'admin-token';
