import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AccessedInstance } from '../access/access.repository';
import { BackupsConfigService } from '../backups-config/backups-config.service';
import { BackupsRepository } from '../backups/backups.repository';
import { Clock } from '../core/clock/clock';
import {
  BackupInProgressError,
  BackupNotFoundError,
  InvalidParametersError,
} from '../core/errors/domain-errors';
import { failedSteps } from '../engines/shared/connection-check';
import { InstancesService } from '../instances/instances.service';
import { OrphanArchivesRepository } from '../storage/orphan-archives.repository';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { BackupLockedError, CredentialsOutdatedError } from './backup-manager.errors';
import { UpdateInstanceDto } from './dto/update-instance.dto';

@Injectable()
export class BackupManagerService {
  private readonly logger = new Logger(BackupManagerService.name);

  constructor(
    private readonly backups: BackupsRepository,
    private readonly configs: BackupsConfigService,
    private readonly orphans: OrphanArchivesRepository,
    private readonly clock: Clock,
    private readonly instances: InstancesService,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
  ) {}

  /**
   * The PUT: the same validation and secrecy as the public PATCH, for the fields it carries.
   * `credentials_updated_by_user: true` says the user changed the instance's credentials: the
   * ones held here are checked first, and when they no longer work the answer is 422 naming what
   * failed (the client shows it to the user) and nothing is changed. This service never reads
   * credentials from elsewhere: the platform operator gives it the new ones (admin PATCH).
   */
  async update(instance: AccessedInstance, dto: UpdateInstanceDto): Promise<void> {
    const { encryption_key, exclude_from_auto_backup, credentials_updated_by_user } = dto;
    if (
      encryption_key === undefined &&
      exclude_from_auto_backup === undefined &&
      credentials_updated_by_user === undefined
    ) {
      throw new InvalidParametersError(
        'The request body must set at least one of encryption_key, exclude_from_auto_backup, credentials_updated_by_user.',
      );
    }
    if (credentials_updated_by_user === true) {
      const check = await this.instances.check(instance.id);
      if (!check.ok) {
        const failed = failedSteps(check);
        this.logger.warn({
          msg: 'credentials changed by the user no longer work here',
          instanceId: instance.id,
          failed: failed.map((c) => c.step),
        });
        throw new CredentialsOutdatedError(
          `The credentials this backup manager holds for instance "${instance.id}" no longer work, so backups would fail until the platform operator updates them; nothing was changed. ${failed.map((c) => c.message).join(' ')}`,
        );
      }
    }
    if (encryption_key !== undefined || exclude_from_auto_backup !== undefined) {
      await this.configs.update(instance, { encryption_key, exclude_from_auto_backup });
    }
  }

  /**
   * Deletes a backup on request: the record becomes `deleted` (and stays readable), then its
   * archive is removed; an archive that storage fails to remove is remembered and removed by
   * the hourly pass. 423 while a restore of it is queued or running, 409 while the backup
   * itself is, 404 for an unknown one; deleting a deleted backup is a no-op.
   */
  async deleteBackup(instance: AccessedInstance, number: number): Promise<void> {
    const backup = await this.backups.find(instance.id, number);
    if (!backup) throw new BackupNotFoundError(instance.id, String(number));
    if (backup.status === 'deleted') return;
    const deleted = await this.backups.markDeletedOnRequest(backup.pk, this.clock.now());
    if (!deleted) {
      if (await this.backups.hasActiveRestore(backup.pk)) {
        throw new BackupLockedError(
          `Backup ${number} is being restored; delete it once the restore has ended.`,
        );
      }
      const now = await this.backups.find(instance.id, number);
      if (now?.status === 'deleted') return;
      throw new BackupInProgressError(instance.id);
    }
    if (deleted.storageKey) {
      await this.storage.delete(deleted.storageKey).catch(async (err: Error) => {
        this.logger.warn({
          msg: 'archive of a deleted backup not removed; the hourly pass tries again',
          backupId: backup.backupId,
          error: err.message,
        });
        await this.orphans.record([{ storageKey: deleted.storageKey!, partial: false }]);
      });
    }
    this.logger.log({ msg: 'backup deleted on request', backupId: backup.backupId });
  }
}
