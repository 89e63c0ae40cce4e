import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_PAGE } from '../../core/validation/paging';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsMoment } from '../../core/validation/moment';

export const BACKUP_STATUSES = ['queued', 'running', 'done', 'failed', 'deleted'] as const;
export const ADMIN_PAGE_DEFAULT = 100;

/** `GET /admin/v1/backups`: every filter optional; query values arrive as strings. */
export class ListBackupsQuery {
  @ApiPropertyOptional({ enum: BACKUP_STATUSES })
  @IsOptional()
  @IsIn(BACKUP_STATUSES, { message: `status must be one of ${BACKUP_STATUSES.join(', ')}` })
  status?: (typeof BACKUP_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only this instance’s backups.' })
  @IsOptional()
  @IsString({ message: 'instance_id must be given once' })
  @MaxLength(255, { message: 'instance_id must be at most 255 characters long' })
  instance_id?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only backups triggered at or after this time.',
  })
  @IsOptional()
  @IsMoment('since', { dateAlone: true })
  since?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE,
    default: ADMIN_PAGE_DEFAULT,
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,3}$/, {
    message: `limit must be an integer from 1 to ${MAX_PAGE}`,
  })
  limit?: string;

  @ApiPropertyOptional({ description: 'The cursor of a "next" link; start without it.' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, {
    message: 'before must be the cursor of a "next" link',
  })
  before?: string;
}
