import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { RetentionRepository } from './retention.repository';

/** Archive deletions in flight at once during a pass. */
const DELETE_PARALLELISM = 16;
/** How many archives that earlier passes failed to remove one full pass tries again. */
const ORPHANS_PER_PASS = 1000;

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
    const failed = await this.deleteArchives(keys);
    await this.retention.recordOrphans(failed);
    if (pruned.length > 0) {
      this.logger.log({
        msg: 'pruned backups',
        count: pruned.length,
        archives: keys.length - failed.length,
        instanceId: instanceId ?? 'all',
      });
    }
    if (!instanceId) await this.retryOrphans();
    return pruned.length;
  }

  /** The full (hourly) pass tries again to remove archives that storage failed to remove. */
  private async retryOrphans(): Promise<void> {
    const orphans = await this.retention.orphans(ORPHANS_PER_PASS);
    if (orphans.length === 0) return;
    const failed = new Set(await this.deleteArchives(orphans));
    const removed = orphans.filter((k) => !failed.has(k));
    await this.retention.forgetOrphans(removed);
    this.logger.log({ msg: 'removed orphaned archives', count: removed.length, left: failed.size });
  }

  /**
   * Removes archives, a few at a time; returns the keys that storage failed to remove, and logs
   * them once (one line, not one per archive, when storage is down for a large pass).
   */
  private async deleteArchives(keys: string[]): Promise<string[]> {
    const failed: string[] = [];
    let firstError: string | undefined;
    for (let i = 0; i < keys.length; i += DELETE_PARALLELISM) {
      await Promise.all(
        keys.slice(i, i + DELETE_PARALLELISM).map((key) =>
          this.storage.delete(key).catch((err: Error) => {
            failed.push(key);
            firstError ??= err.message;
          }),
        ),
      );
    }
    if (failed.length > 0) {
      this.logger.error({
        msg: 'archives could not be removed from storage; the next hourly pass tries again',
        count: failed.length,
        firstKey: failed[0],
        error: firstError,
      });
    }
    return failed;
  }
}
