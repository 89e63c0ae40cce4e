import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import {
  EncryptionKeyField,
  ExcludeFromAutoBackupField,
} from '../../backups-config/dto/update-backups-config.dto';
import { OptionalButNotNull } from '../../core/validation/defined.decorator';

/** `PUT /backup-manager/instances/{iid}`: the fields being set, at least one. */
export class UpdateInstanceDto {
  @EncryptionKeyField()
  encryption_key?: string;

  @ExcludeFromAutoBackupField()
  exclude_from_auto_backup?: boolean;

  @ApiPropertyOptional({
    description:
      'Sent by platform components when the user changed the instance credentials. true: the backup manager checks that the credentials it holds still work (the platform operator updates them with PATCH /admin/v1/instances/:id) and answers 422 `CredentialsOutdated`, changing nothing, when they do not; false: nothing to do.',
  })
  @OptionalButNotNull()
  @IsBoolean({ message: 'credentials_updated_by_user must be true or false' })
  credentials_updated_by_user?: boolean;
}
