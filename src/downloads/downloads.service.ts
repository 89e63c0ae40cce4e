import { archiveFileName } from '../storage/archive-key';
import { Inject, Injectable } from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { whyNotDownloadable } from '../backups/dto/backup.response';
import { AppConfig } from '../core/config/app-config';
import {
  NotDownloadableError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../core/errors/domain-errors';
import type { AccessedInstance } from '../access/access.repository';
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
  async find(instance: AccessedInstance, number: number): Promise<DownloadableArchive> {
    const backup = await this.backups.findOrFail(instance.id, number);
    const whyNot = whyNotDownloadable(backup, this.config.downloadsEnabled);
    if (whyNot !== null) throw new NotDownloadableError(whyNot);
    return {
      storageKey: backup.storageKey!,
      size: Number(backup.size),
      sha256: backup.sha256!,
      filename: archiveFileName(backup.backupId),
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
