import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { BackupNotFoundError } from '../core/errors/domain-errors';
import { parseBackupNumber } from './backup-number';
import { BackupsRepository } from './backups.repository';
import { BackupResponse, toBackupResponse } from './dto/backup.response';

@Injectable()
export class BackupsService {
  constructor(
    private readonly backups: BackupsRepository,
    private readonly config: AppConfig,
  ) {}

  async list(instanceId: string): Promise<BackupResponse[]> {
    const rows = await this.backups.list(instanceId);
    return rows.map((b) => toBackupResponse(b, this.config.downloadsEnabled));
  }

  async show(instanceId: string, rawId: string): Promise<BackupResponse> {
    const number = parseBackupNumber(rawId);
    const backup = number === null ? null : await this.backups.find(instanceId, number);
    if (!backup) throw new BackupNotFoundError(instanceId, rawId);
    return toBackupResponse(backup, this.config.downloadsEnabled);
  }
}
