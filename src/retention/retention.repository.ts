import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../core/prisma/prisma-errors';
import { PrismaService } from '../core/prisma/prisma.service';

/**
 * How often one statement of a pass runs when other passes or restores keep writing the keys it
 * meant to prune (each failure means the other committed first, and the next run reads it).
 */
const ATTEMPTS_PER_STATEMENT = 5;

/** What one statement pruned: how many backups, and the archives of those that had one. */
export interface Pruned {
  count: number;
  storageKeys: string[];
}

export interface RetentionScope {
  now: Date;
  deletedInstanceRetentionDays: number;
  /** only these instances; all instances when absent */
  instanceId?: string;
  /** only instances whose id sorts after this one */
  after?: string;
  /** only instances whose id sorts up to this one */
  upTo?: string;
}

@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Prunes every backup of the scope's instances that the retention rules condemn, in one
   * statement, and returns them so that their archives can be removed. The rules:
   * - a done backup older than the instance's retention_time (days) goes, unless it is among the
   *   newest min_backup_count done backups, and the newest done backup is always kept;
   * - a failed backup older than retention_time goes;
   * - queued and running backups are never touched;
   * - an instance deregistered longer than DELETED_INSTANCE_RETENTION_DAYS loses every backup;
   * - a backup that a queued or running restore holds is never touched.
   * A pruning is a narrow row in backup_prunings (the view `backups` then shows the backup
   * `deleted`); the backup's own row is not rewritten. The statement inserts its prunings in the
   * order of the backups' primary key and without ON CONFLICT (which would cost it more than the
   * inserts themselves), so it fails when another pass, or a restore that took the backup,
   * wrote the same key since it read: it waits for that transaction, fails with a unique
   * violation, and runs again, reading what the other wrote. Passes, and the statements of one
   * pass, thus run side by side without a lock of their own, and each backup is pruned once.
   */
  async markPrunable(scope: RetentionScope): Promise<Pruned> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pruneOnce(scope);
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= ATTEMPTS_PER_STATEMENT) throw err;
      }
    }
  }

  private async pruneOnce(scope: RetentionScope): Promise<Pruned> {
    const only = scope.instanceId ?? null;
    const after = scope.after ?? null;
    const upTo = scope.upTo ?? null;
    const rows = await this.prisma.$transaction(
      async (tx) => {
        // ranking a run's hundred thousand backups in memory rather than in temporary files
        await tx.$executeRaw`SELECT set_config('work_mem', '32MB', true)`;
        return tx.$queryRaw<Array<{ storage_key: string | null }>>`
      WITH ranked AS (
        -- rank_in_status: for a done backup, its place among the instance's done backups that
        -- are not pruned, newest first (counted in the order of the (instance_id, number) index)
        SELECT b.pk, b.status, b.triggered_at, b.storage_key, i.deleted_at, c.retention_time,
               c.min_backup_count,
               -- not pruned (below), so a row under its key is a restore's mark: it is held
               p.backup_pk IS NOT NULL AS held,
               count(*) FILTER (WHERE b.status = 'done')
                 OVER (PARTITION BY b.instance_id ORDER BY b.number DESC ROWS UNBOUNDED PRECEDING)
                 AS rank_in_status
        FROM backup_rows b
        JOIN instances i ON i.id = b.instance_id
        JOIN backups_config c ON c.instance_id = b.instance_id
        LEFT JOIN backup_prunings p ON p.backup_pk = b.pk
        WHERE b.status IN ('done', 'failed') AND p.pruned_at IS NULL
          -- the scope on each table, so that each is read only for the run's instances
          AND (${only}::text IS NULL OR (b.instance_id = ${only}::text AND i.id = ${only}::text
                                          AND c.instance_id = ${only}::text))
          AND (${after}::text IS NULL OR (b.instance_id > ${after}::text AND i.id > ${after}::text
                                          AND c.instance_id > ${after}::text))
          AND (${upTo}::text IS NULL OR (b.instance_id <= ${upTo}::text AND i.id <= ${upTo}::text
                                          AND c.instance_id <= ${upTo}::text))
      ),
      victims AS MATERIALIZED (
        SELECT pk, storage_key FROM ranked
        WHERE NOT held
          AND ((deleted_at IS NOT NULL
                AND deleted_at < ${scope.now}::timestamptz - make_interval(days => ${scope.deletedInstanceRetentionDays}::int))
           OR (triggered_at < ${scope.now}::timestamptz - make_interval(days => retention_time)
               AND (status = 'failed' OR rank_in_status > GREATEST(min_backup_count, 1))))
      ),
      pruned AS (
        INSERT INTO backup_prunings (backup_pk, pruned_at)
        SELECT pk, ${scope.now}::timestamptz FROM victims ORDER BY pk
      )
      -- every victim is pruned, or the statement fails
      SELECT storage_key FROM victims`;
      },
      // a pass over a million backups, or one waiting for such a pass, takes more than the
      // client's default five seconds
      { maxWait: 60_000, timeout: 30 * 60_000 },
    );
    const storageKeys: string[] = [];
    for (const r of rows) if (r.storage_key !== null) storageKeys.push(r.storage_key);
    return { count: rows.length, storageKeys };
  }

  /**
   * The ids that cut the registered and deregistered instances into runs of `size`, in order:
   * the last id of each full run. A pass marks one run per statement.
   */
  async instanceRunEnds(size: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM instances) numbered
      WHERE n % ${size}::int = 0
      ORDER BY id`;
    return rows.map((r) => r.id);
  }

  /**
   * Removes up to `limit` records of backups pruned (or deleted on request) before `cutoff` that
   * no restore refers to, with their prunings; returns how many.
   */
  removeDeletedRecords(cutoff: Date, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM backup_rows WHERE pk IN (
        -- deleted and finished as the view shows them (pruned, or deleted on request)
        SELECT r.pk FROM backups b JOIN backup_rows r ON r.pk = b.pk
        -- a backup is triggered before it is pruned: the index on triggered_at finds the few
        -- old enough to look at (the time it was pruned is in no index)
        WHERE b.triggered_at < ${cutoff} AND b.status = 'deleted' AND b.finished_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM restores x WHERE x.backup_pk = b.pk)
        ORDER BY r.pk
        LIMIT ${limit}
        FOR UPDATE OF r SKIP LOCKED)`;
  }

  /**
   * Of these backup_ids, the ones whose backup may own an archive in storage: done, or still
   * queued or running (its archive may be about to be recorded).
   */
  async archiveOwners(backupIds: string[]): Promise<Set<string>> {
    if (backupIds.length === 0) return new Set();
    const rows = await this.prisma.backup.findMany({
      where: { backupId: { in: backupIds }, status: { in: ['queued', 'running', 'done'] } },
      select: { backupId: true },
    });
    return new Set(rows.map((r) => r.backupId));
  }
}
