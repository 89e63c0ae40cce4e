import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { FsStorageDriver } from './fs-storage.driver';
import { OrphanArchivesRepository } from './orphan-archives.repository';
import { STORAGE_DRIVER, StorageDriver } from './storage-driver';
import { StorageProbe } from './storage-probe';

@Module({
  providers: [
    StorageProbe,
    OrphanArchivesRepository,
    {
      provide: STORAGE_DRIVER,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<StorageDriver> => {
        switch (config.storageDriver) {
          case 'fs':
            return new FsStorageDriver(config.storagePath, config.storageMinFreeBytes);
          case 's3': {
            // loaded only when used: the AWS SDK costs every process about 20 MiB and 150 ms
            const { S3StorageDriver } = await import('./s3-storage.driver');
            return new S3StorageDriver(config.s3, config.upstreamTimeoutMs);
          }
        }
      },
    },
  ],
  exports: [STORAGE_DRIVER, OrphanArchivesRepository],
})
export class StorageModule {}
