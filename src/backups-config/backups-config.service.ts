import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { InvalidParametersError } from '../core/errors/domain-errors';
import type { AccessedInstance } from '../access/access.repository';
import { BackupsConfigRepository } from './backups-config.repository';
import { BackupsConfigResponse } from './dto/backups-config.response';
import { UpdateBackupsConfigDto } from './dto/update-backups-config.dto';

const UPDATABLE_FIELDS = [
  'encryption_key',
  'min_backup_count',
  'retention_time',
  'exclude_from_auto_backup',
];

@Injectable()
export class BackupsConfigService {
  constructor(
    private readonly configs: BackupsConfigRepository,
    private readonly config: AppConfig,
  ) {}

  async get(instance: AccessedInstance): Promise<BackupsConfigResponse> {
    const c = await this.configs.get(instance.id);
    return {
      min_backup_count: c.minBackupCount,
      retention_time: c.retentionTime,
      min_encryption_key_length: this.config.minEncryptionKeyLength,
      exclude_from_auto_backup: c.excludeFromAutoBackup,
      backup_type: instance.backupType,
    };
  }

  async update(instance: AccessedInstance, dto: UpdateBackupsConfigDto): Promise<void> {
    if (UPDATABLE_FIELDS.every((f) => dto[f as keyof UpdateBackupsConfigDto] === undefined)) {
      throw new InvalidParametersError(
        `The request body must set at least one of ${UPDATABLE_FIELDS.join(', ')}.`,
      );
    }
    if (dto.encryption_key !== undefined) this.checkEncryptionKey(dto.encryption_key);
    await this.configs.update(instance.id, {
      encryptionKey: dto.encryption_key,
      minBackupCount: dto.min_backup_count,
      retentionTime: dto.retention_time,
      excludeFromAutoBackup: dto.exclude_from_auto_backup,
    });
  }

  /**
   * The key becomes an `openssl enc -pass pass:<key>` argument on the user's machine: it must be
   * long enough and hold no control characters (a NUL or newline would cut it short there).
   */
  private checkEncryptionKey(key: string): void {
    const length = [...key].length;
    if (length < this.config.minEncryptionKeyLength) {
      throw new InvalidParametersError(
        `encryption_key must be at least ${this.config.minEncryptionKeyLength} characters long.`,
      );
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(key)) {
      throw new InvalidParametersError('encryption_key must not contain control characters.');
    }
  }
}
