import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { MAX_ENCRYPTION_KEY_LENGTH } from '../../backups-config/dto/update-backups-config.dto';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';

/** `PUT /backup-manager/instances/{iid}`: the fields being set, at least one. */
export class UpdateInstanceDto {
  @ApiPropertyOptional({
    description: 'The encryption key of backups triggered from now on; never returned.',
    maxLength: MAX_ENCRYPTION_KEY_LENGTH,
  })
  @OptionalButNotNull()
  @IsString({ message: 'encryption_key must be a string' })
  @MaxLength(MAX_ENCRYPTION_KEY_LENGTH, {
    message: `encryption_key must be at most ${MAX_ENCRYPTION_KEY_LENGTH} characters long`,
  })
  encryption_key?: string;

  @ApiPropertyOptional({ description: 'Leave this instance out of the scheduled backups.' })
  @OptionalButNotNull()
  @IsBoolean({ message: 'exclude_from_auto_backup must be true or false' })
  exclude_from_auto_backup?: boolean;

  @ApiPropertyOptional({
    description:
      'Sent by platform components when the user changed the instance credentials; accepted, and nothing else follows from it here (the registered connection URL stays).',
  })
  @OptionalButNotNull()
  @IsBoolean({ message: 'credentials_updated_by_user must be true or false' })
  credentials_updated_by_user?: boolean;
}
