import { Inject, Injectable } from '@nestjs/common';
import { parseBackupNumber } from '../backups/backup-number';
import { BackupsRepository } from '../backups/backups.repository';
import { AppConfig } from '../core/config/app-config';
import {
  BackupNotFoundError,
  NotDownloadableError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../core/errors/domain-errors';
import type { Instance } from '../generated/prisma/client';
import {
  ByteRange,
  RangeReader,
  STORAGE_DRIVER,
  StorageDriver,
  StorageTimeoutError,
} from '../storage/storage-driver';

export interface DownloadableArchive {
  storageKey: string;
  size: number;
  sha256: string;
  filename: string;
  finishedAt: Date;
}

@Injectable()
export class DownloadsService {
  constructor(
    private readonly backups: BackupsRepository,
    private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
  ) {}

  /** The archive of a backup the user may download, or the reason (412) why not. */
  async find(instance: Instance, rawId: string): Promise<DownloadableArchive> {
    const number = parseBackupNumber(rawId);
    const backup = number === null ? null : await this.backups.find(instance.id, number);
    if (!backup) throw new BackupNotFoundError(instance.id, rawId);
    if (!this.config.downloadsEnabled) {
      throw new NotDownloadableError('Downloads of backups are disabled on this platform.');
    }
    if (backup.status !== 'done') {
      throw new NotDownloadableError(
        `Backup ${backup.number} is ${backup.status}; only a done backup can be downloaded.`,
      );
    }
    if (backup.encryptionKey.origin !== 'user') {
      throw new NotDownloadableError(
        `Backup ${backup.number} was made before an encryption key was set, so only the platform can decrypt it; ` +
          'set encryption_key with PATCH backups-config and trigger a new backup to download one.',
      );
    }
    return {
      storageKey: backup.storageKey!,
      size: Number(backup.size),
      sha256: backup.sha256!,
      filename: `${backup.backupId}.tgz`,
      finishedAt: backup.finishedAt!,
    };
  }

  /** Opens the bytes of `range` (the whole archive when absent) in storage, or fails with 502. */
  async open(archive: DownloadableArchive, range?: ByteRange): Promise<RangeReader> {
    try {
      return await this.storage.openRange(
        archive.storageKey,
        range ?? { start: 0, end: archive.size - 1 },
      );
    } catch (err) {
      if (err instanceof StorageTimeoutError) {
        throw new UpstreamTimeoutError('Storage did not answer in time; try the download again.');
      }
      throw new UpstreamError('The archive could not be read from storage.');
    }
  }
}
