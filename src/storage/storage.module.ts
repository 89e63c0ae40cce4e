import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { FsStorageDriver } from './fs-storage.driver';
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
            throw new Error('STORAGE_DRIVER=s3 is not available yet; use fs');
        }
      },
    },
  ],
  exports: [STORAGE_DRIVER],
})
export class StorageModule {}
