import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import { backupIdOfArchiveKey } from '../storage/archive-key';
import { Orphan, OrphanArchivesRepository } from '../storage/orphan-archives.repository';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { JobMetrics } from '../metrics/job-metrics';
import { Pruned, RetentionRepository } from './retention.repository';

/** Instances whose backups one statement of a full retention pass marks. */
const INSTANCES_PER_STATEMENT = 10_000;
/** Statements of a full pass that run at once (the database works on one core for each). */
const STATEMENTS_AT_ONCE = 2;
/** Records of long-pruned backups removed per statement (short transactions, small locks). */
const RECORDS_PER_BATCH = 10_000;
/** How many archives that earlier passes failed to remove one full pass tries again. */
const ORPHANS_PER_PASS = 1000;
/**
 * An archive in storage that no backup owns is removed once it is this old: younger ones may
 * belong to a backup whose result is being recorded right now.
 */
export const UNOWNED_ARCHIVE_GRACE_MS = 60 * 60_000;

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
    private readonly orphans: OrphanArchivesRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly metrics: JobMetrics,
  ) {}

  /**
   * Instances whose backups one statement of a full pass marks. Each run's archives are removed
   * while the next run is marked (the database and this process work side by side), and no
   * statement holds half a million rows.
   */
  instancesPerStatement = INSTANCES_PER_STATEMENT;

  /**
   * How many statements of a full pass run at once, each over its own run of instances: the
   * database ranks backups and writes their prunings on one core per statement.
   */
  statementsAtOnce = STATEMENTS_AT_ONCE;

  /** One pass; returns how many backups it pruned. */
  async prune(instanceId?: string): Promise<number> {
    const now = this.clock.now();
    const runs = instanceId ? [{}] : await this.instanceRuns();
    let pruned = 0;
    let archives = 0;
    let failed = false;
    // one lane marks a run, then removes its archives while it marks its next run
    const lane = async (): Promise<void> => {
      let removing: Promise<number> = Promise.resolve(0);
      try {
        for (let run = runs.shift(); run && !failed; run = runs.shift()) {
          const marked = await this.retention.markPrunable({
            now,
            deletedInstanceRetentionDays: this.config.deletedInstanceRetentionDays,
            instanceId,
            ...run,
          });
          pruned += marked.count;
          archives += await removing;
          removing = this.removeArchivesOf(marked);
          removing.catch(() => undefined); // awaited with the next run, or below
        }
      } catch (err) {
        failed = true; // the other lanes take no further run
        throw err;
      } finally {
        // whatever happens to the next run, the archives of those already marked are removed
        archives += await removing;
      }
    };
    const lanes = Array.from({ length: Math.min(this.statementsAtOnce, runs.length) }, lane);
    const outcomes = await Promise.allSettled(lanes);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (rejected) throw rejected.reason;
    if (pruned > 0) {
      this.metrics.retentionPruned.inc(pruned);
      this.logger.log({
        msg: 'pruned backups',
        count: pruned,
        archives,
        instanceId: instanceId ?? 'all',
      });
    }
    if (!instanceId) {
      await this.forgetDeletedRecords();
      await this.retryOrphans();
      // best effort: a store that cannot be listed now is reconciled by a later pass
      await this.removeUnownedArchives().catch((err: Error) =>
        this.logger.warn({
          msg: 'storage could not be reconciled with the records; the next pass tries again',
          error: err.message,
        }),
      );
    }
    return pruned;
  }

  /** The pass's runs of instances: (…, e1], (e1, e2], …, (ek, …). */
  private async instanceRuns(): Promise<Array<{ after?: string; upTo?: string }>> {
    const ends = await this.retention.instanceRunEnds(this.instancesPerStatement);
    return [...ends, undefined].map((upTo, i) => ({ after: ends[i - 1], upTo }));
  }

  /** Removes the archives of pruned backups; records those storage kept; returns how many went. */
  private async removeArchivesOf({ storageKeys: keys }: Pruned): Promise<number> {
    const failed = await this.deleteArchives(keys);
    await this.orphans.record(failed.map((storageKey) => ({ storageKey, partial: false })));
    return keys.length - failed.length;
  }

  /**
   * Records of pruned backups are kept DELETED_RECORD_RETENTION_DAYS after they were pruned
   * (their finished_at, which pruning sets), then removed, so lists stay bounded; a record a
   * restore refers to stays with it. 0 keeps them forever.
   */
  async forgetDeletedRecords(): Promise<number> {
    const days = this.config.deletedRecordRetentionDays;
    if (days === 0) return 0;
    const cutoff = new Date(this.clock.now().getTime() - days * 86_400_000);
    let removed = 0;
    for (;;) {
      const n = await this.retention.removeDeletedRecords(cutoff, RECORDS_PER_BATCH);
      removed += n;
      if (n < RECORDS_PER_BATCH) break;
    }
    if (removed > 0) {
      this.logger.log({ msg: 'removed records of long-pruned backups', count: removed, days });
    }
    return removed;
  }

  /**
   * The full (hourly) pass tries again to remove what storage failed to remove: archives of
   * pruned backups, and the leftovers of aborted writes (unfinished multipart uploads).
   */
  private async retryOrphans(): Promise<void> {
    const orphans = await this.orphans.oldest(ORPHANS_PER_PASS);
    if (orphans.length === 0) return;
    const removed: Orphan[] = [];
    let firstError: string | undefined;
    for (const orphan of orphans) {
      try {
        if (orphan.partial) await this.storage.removePartials(orphan.storageKey);
        else await this.storage.delete(orphan.storageKey);
        removed.push(orphan);
      } catch (err) {
        firstError ??= (err as Error).message;
      }
    }
    await this.orphans.forget(removed);
    this.logger.log({
      msg: 'removed orphaned archives',
      count: removed.length,
      left: orphans.length - removed.length,
      ...(firstError ? { error: firstError } : {}),
    });
  }

  /**
   * Reconciles storage with the records: an archive that no queued, running or done backup
   * owns (its backup failed after the archive was written, or was pruned while storage was
   * unreachable and nothing was remembered) is removed once it is older than the grace period.
   * Objects whose key is not of our archive layout are never touched.
   */
  async removeUnownedArchives(): Promise<number> {
    const cutoff = Date.now() - UNOWNED_ARCHIVE_GRACE_MS;
    let removed = 0;
    for await (const page of this.storage.list()) {
      const candidates = page.flatMap((o) => {
        const backupId = backupIdOfArchiveKey(o.key);
        return backupId && o.modifiedAt.getTime() < cutoff ? [{ key: o.key, backupId }] : [];
      });
      const owners = await this.retention.archiveOwners(candidates.map((c) => c.backupId));
      const unowned = candidates.filter((c) => !owners.has(c.backupId)).map((c) => c.key);
      const failed = await this.deleteArchives(unowned);
      removed += unowned.length - failed.length;
    }
    if (removed > 0) {
      this.logger.warn({ msg: 'removed archives that no backup owned', count: removed });
    }
    return removed;
  }

  /**
   * Removes archives, as many at once as storage allows; returns the keys that storage failed
   * to remove, and logs them once (one line, not one per archive, when storage is down for a
   * large pass).
   */
  private async deleteArchives(keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const { failed, error } = await this.storage.deleteMany(keys);
    if (failed.length > 0) {
      this.logger.error({
        msg: 'archives could not be removed from storage; the next hourly pass tries again',
        count: failed.length,
        firstKey: failed[0],
        error,
      });
    }
    return failed;
  }
}
