import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';

export const MAX_ENCRYPTION_KEY_LENGTH = 1024;
/** upper bounds that keep counts meaningful and inside the database's integer range */
export const MAX_MIN_BACKUP_COUNT = 10000;
export const MAX_RETENTION_TIME_DAYS = 10000;

/** `encryption_key` as every API that sets it takes it (the minimum length is checked later). */
export const EncryptionKeyField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        'The new backup encryption key, for backups triggered from now on. Never returned: keep it in a safe place.',
      minLength: 8,
      maxLength: MAX_ENCRYPTION_KEY_LENGTH,
    }),
    OptionalButNotNull(),
    IsString({ message: 'encryption_key must be a string' }),
    MaxLength(MAX_ENCRYPTION_KEY_LENGTH, {
      message: `encryption_key must be at most ${MAX_ENCRYPTION_KEY_LENGTH} characters long`,
    }),
  );

/** `exclude_from_auto_backup` as every API that sets it takes it. */
export const ExcludeFromAutoBackupField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description: 'States whether this instance will be excluded from scheduled backups.',
    }),
    OptionalButNotNull(),
    IsBoolean({ message: 'exclude_from_auto_backup must be true or false' }),
  );

export class UpdateBackupsConfigDto {
  @EncryptionKeyField()
  encryption_key?: string;

  @ApiPropertyOptional({
    description: 'The minimum amount of backups per instance.',
    minimum: 0,
    maximum: MAX_MIN_BACKUP_COUNT,
  })
  @OptionalButNotNull()
  @IsInt({ message: 'min_backup_count must be an integer' })
  @Min(0, { message: 'min_backup_count must be 0 or more' })
  @Max(MAX_MIN_BACKUP_COUNT, {
    message: `min_backup_count must be at most ${MAX_MIN_BACKUP_COUNT}`,
  })
  min_backup_count?: number;

  @ApiPropertyOptional({
    description: 'Days after which backups are deleted.',
    minimum: 0,
    maximum: MAX_RETENTION_TIME_DAYS,
  })
  @OptionalButNotNull()
  @IsInt({ message: 'retention_time must be an integer number of days' })
  @Min(0, { message: 'retention_time must be 0 or more' })
  @Max(MAX_RETENTION_TIME_DAYS, {
    message: `retention_time must be at most ${MAX_RETENTION_TIME_DAYS}`,
  })
  retention_time?: number;

  @ExcludeFromAutoBackupField()
  exclude_from_auto_backup?: boolean;
}
