import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { FsStorageDriver } from './fs-storage.driver';
import { S3StorageDriver } from './s3-storage.driver';
import { STORAGE_DRIVER, StorageDriver } from './storage-driver';

@Module({
  providers: [
    {
      provide: STORAGE_DRIVER,
      inject: [AppConfig],
      useFactory: (config: AppConfig): StorageDriver => {
        switch (config.storageDriver) {
          case 'fs':
            return new FsStorageDriver(config.storagePath);
          case 's3':
            return new S3StorageDriver(config.s3, config.upstreamTimeoutMs);
        }
      },
    },
  ],
  exports: [STORAGE_DRIVER],
})
export class StorageModule {}
