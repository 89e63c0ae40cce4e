import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { RetentionRepository } from './retention.repository';

/** Archive deletions in flight at once during a pass. */
const DELETE_PARALLELISM = 16;

/**
 * Prunes backups by the retention rules: the database decides and marks the victims in one
 * set-based statement, then their archives are removed from storage (an archive already gone
 * is fine). Runs after every finished backup (for that instance) and hourly (for all).
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly retention: RetentionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
  ) {}

  /** One pass; returns how many backups it pruned. */
  async prune(instanceId?: string): Promise<number> {
    const pruned = await this.retention.markPrunable({
      now: this.clock.now(),
      deletedInstanceRetentionDays: this.config.deletedInstanceRetentionDays,
      instanceId,
    });
    const keys = pruned.map((p) => p.storageKey).filter((k): k is string => k !== null);
    for (let i = 0; i < keys.length; i += DELETE_PARALLELISM) {
      await Promise.all(keys.slice(i, i + DELETE_PARALLELISM).map((k) => this.deleteArchive(k)));
    }
    if (pruned.length > 0) {
      this.logger.log({
        msg: 'pruned backups',
        count: pruned.length,
        archives: keys.length,
        instanceId: instanceId ?? 'all',
      });
    }
    return pruned.length;
  }

  /** The record already says deleted; a storage failure leaves an orphan file, logged for the operator. */
  private async deleteArchive(key: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (err) {
      this.logger.error({
        msg: 'pruned archive could not be removed from storage',
        key,
        error: (err as Error).message,
      });
    }
  }
}
