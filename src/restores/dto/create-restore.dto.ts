import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';
import { INSTANCE_ID_PATTERN } from '../../instances/instance-id';

export class CreateRestoreDto {
  @ApiProperty({ description: 'The integer id of the backup to restore.', minimum: 1 })
  @IsDefined({ message: 'backup_id is required: the integer id of the backup to restore' })
  @IsInt({ message: 'backup_id must be the integer id of a backup' })
  @Min(1, { message: 'backup_id must be 1 or more' })
  @Max(2147483647, { message: 'backup_id is out of range' })
  backup_id!: number;

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
