import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';
import { IsMoment } from '../../core/validation/moment';
import { INSTANCE_ID_PATTERN } from '../../instances/instance-id';

export class CreateRestoreDto {
  @ApiPropertyOptional({
    description: 'The integer id of the backup to restore. Give either this or `point_in_time`.',
    minimum: 1,
  })
  @ValidateIf((o: CreateRestoreDto) => o.point_in_time === undefined)
  @IsDefined({
    message:
      'backup_id is required: the integer id of the backup to restore (or point_in_time, the moment to restore a continuous-archiving instance to)',
  })
  @IsInt({ message: 'backup_id must be the integer id of a backup' })
  @Min(1, { message: 'backup_id must be 1 or more' })
  @Max(2147483647, { message: 'backup_id is out of range' })
  backup_id?: number;

  @ApiPropertyOptional({
    description:
      'Continuous-archiving instances only: the moment (ISO 8601 with its offset, e.g. `2026-12-02T10:15:30.250Z`, read to the microsecond) to bring the instance back to, inside a range `GET /v1/instances/{instance_id}/pitr` gives: the instance then holds exactly the transactions committed at or before it. Give either this or `backup_id`.',
    format: 'date-time',
  })
  @OptionalButNotNull()
  @IsMoment('point_in_time')
  point_in_time?: string;

  @ApiPropertyOptional({
    description:
      'Fork: restore into this other instance (of the same type, and granted to the token too) instead; the instance of the route is not touched.',
    pattern: INSTANCE_ID_PATTERN.source,
  })
  @OptionalButNotNull()
  @IsString()
  @Matches(INSTANCE_ID_PATTERN, { message: 'target_instance_id must be an instance id' })
  target_instance_id?: string;
}
