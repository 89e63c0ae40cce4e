import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';
import { INSTANCE_ID_PATTERN } from '../instance-id';

export const INSTANCE_TYPES = ['postgresql', 'mariadb', 'redis'] as const;
export const BACKUP_TYPES = ['standard', 'continuous_archiving'] as const;

export class RegisterInstanceDto {
  @ApiPropertyOptional({
    description: 'The instance id (e.g. the service-instance GUID); generated when absent.',
    pattern: INSTANCE_ID_PATTERN.source,
  })
  @OptionalButNotNull()
  @IsString()
  @Matches(INSTANCE_ID_PATTERN, {
    message: 'id must be 1 to 128 letters, digits, "-" or "_", starting with a letter or digit',
  })
  id?: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: INSTANCE_TYPES })
  @IsIn(INSTANCE_TYPES, { message: `type must be one of ${INSTANCE_TYPES.join(', ')}` })
  type!: (typeof INSTANCE_TYPES)[number];

  @ApiProperty({
    description:
      'How to reach the instance, e.g. postgresql://user:password@host:5432/db, with its TLS parameters (see docs/operating.md, TLS); sealed at rest, never returned. Its scheme must fit `type`.',
    writeOnly: true,
    minLength: 1,
    maxLength: 4096,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  connection_url!: string;

  @ApiPropertyOptional({
    enum: BACKUP_TYPES,
    default: 'standard',
    description:
      '`continuous_archiving` is for postgresql and mariadb instances (422 for redis); a mariadb one is registered only when its connection check passes, binlog settings included.',
  })
  @OptionalButNotNull()
  @IsIn(BACKUP_TYPES, { message: `backup_type must be one of ${BACKUP_TYPES.join(', ')}` })
  backup_type?: (typeof BACKUP_TYPES)[number];
}
