import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const BACKUP_STATUSES = ['queued', 'running', 'done', 'failed', 'deleted'] as const;
export const ADMIN_PAGE_DEFAULT = 100;
export const ADMIN_PAGE_MAX = 1000;

/** `GET /admin/v1/backups`: every filter optional; query values arrive as strings. */
export class ListBackupsQuery {
  @IsOptional()
  @IsIn(BACKUP_STATUSES, { message: `status must be one of ${BACKUP_STATUSES.join(', ')}` })
  status?: (typeof BACKUP_STATUSES)[number];

  @IsOptional()
  @IsString({ message: 'instance_id must be given once' })
  @MaxLength(255, { message: 'instance_id must be at most 255 characters long' })
  instance_id?: string;

  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'since must be an ISO 8601 date or time, such as 2026-11-30T00:00:00Z' },
  )
  since?: string;

  @IsOptional()
  @Matches(/^[1-9]\d{0,3}$/, {
    message: `limit must be an integer from 1 to ${ADMIN_PAGE_MAX}`,
  })
  limit?: string;

  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, {
    message: 'before must be the cursor of a "next" link',
  })
  before?: string;
}
