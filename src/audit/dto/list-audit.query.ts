import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsMoment } from '../../core/validation/moment';
import { MAX_PAGE } from '../../core/validation/paging';

export const ACTORS = ['admin', 'token', 'backup-manager', 'anonymous'] as const;
export const AUDIT_PAGE_DEFAULT = 100;

/** `GET /admin/v1/audit`: every filter optional; query values arrive as strings. */
export class ListAuditQuery {
  @ApiPropertyOptional({ description: 'Only requests on this instance.' })
  @IsOptional()
  @IsString({ message: 'instance_id must be given once' })
  @MaxLength(255, { message: 'instance_id must be at most 255 characters long' })
  instance_id?: string;

  @ApiPropertyOptional({ enum: ACTORS })
  @IsOptional()
  @IsIn(ACTORS, { message: `actor must be one of ${ACTORS.join(', ')}` })
  actor?: (typeof ACTORS)[number];

  @ApiPropertyOptional({
    description: 'Only this action, as listed: `POST /v1/instances/:instance_id/backups`.',
  })
  @IsOptional()
  @IsString({ message: 'action must be given once' })
  @MaxLength(300, { message: 'action must be at most 300 characters long' })
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only requests at or after this time.' })
  @IsOptional()
  @IsMoment('since', { dateAlone: true })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only requests before this time.' })
  @IsOptional()
  @IsMoment('until', { dateAlone: true })
  until?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE,
    default: AUDIT_PAGE_DEFAULT,
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,3}$/, { message: `limit must be an integer from 1 to ${MAX_PAGE}` })
  limit?: string;

  @ApiPropertyOptional({ description: 'The cursor of a "next" link; start without it.' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'before must be the cursor of a "next" link' })
  before?: string;
}
