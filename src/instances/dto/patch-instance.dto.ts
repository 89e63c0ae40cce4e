import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';
import { BACKUP_TYPES, INSTANCE_TYPES } from './register-instance.dto';

/**
 * `PATCH /admin/v1/instances/:id`: a new name and/or new credentials. `type` and `backup_type`
 * are accepted only unchanged (a client may send the whole record back): an instance's backups
 * are of its type, so changing it is refused with 422.
 */
export class PatchInstanceDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OptionalButNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    description:
      'How to reach the instance now (e.g. after a password rotation), validated as at registration; sealed at rest, never returned. The next backup uses it.',
    writeOnly: true,
    minLength: 1,
    maxLength: 4096,
  })
  @OptionalButNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  connection_url?: string;

  @ApiPropertyOptional({ enum: INSTANCE_TYPES, description: 'Only the current value is accepted.' })
  @OptionalButNotNull()
  @IsIn(INSTANCE_TYPES, { message: `type must be one of ${INSTANCE_TYPES.join(', ')}` })
  type?: (typeof INSTANCE_TYPES)[number];

  @ApiPropertyOptional({ enum: BACKUP_TYPES, description: 'Only the current value is accepted.' })
  @OptionalButNotNull()
  @IsIn(BACKUP_TYPES, { message: `backup_type must be one of ${BACKUP_TYPES.join(', ')}` })
  backup_type?: (typeof BACKUP_TYPES)[number];
}
