import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { STORAGE_DRIVER, StorageDriver } from './storage-driver';

/**
 * Tells the operator at start, rather than at the first backup, when storage cannot be used (a
 * missing bucket, wrong credentials, a read-only directory). It only logs: the process keeps
 * running, so a store that is briefly down does not keep it from starting.
 */
@Injectable()
export class StorageProbe implements OnApplicationBootstrap {
  private readonly logger = new Logger('Storage');

  constructor(
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // not awaited: a store that does not answer must not hold up the start
    this.storage.probe().then(
      () => this.logger.log({ msg: 'storage is usable', driver: this.config.storageDriver }),
      (err: Error) =>
        this.logger.error({
          msg: 'storage is not usable; backups and downloads will fail until it is',
          driver: this.config.storageDriver,
          error: err.message,
        }),
    );
  }
}
