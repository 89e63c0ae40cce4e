import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

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
   * Marks every backup of the scope's instances that the retention rules condemn as `deleted`,
   * in one statement, and returns them so that their archives can be removed. The rules:
   * - a done backup older than the instance's retention_time (days) goes, unless it is among the
   *   newest min_backup_count done backups, and the newest done backup is always kept;
   * - a failed backup older than retention_time goes;
   * - queued and running backups are never touched;
   * - an instance deregistered longer than DELETED_INSTANCE_RETENTION_DAYS loses every backup;
   * - a backup that a queued or running restore holds is never touched.
   * Passes, and the statements of one pass, run side by side without a lock of their own: each
   * statement locks the rows it changes in the order of their primary key (its victims sorted,
   * and a nested loop that follows them), so two statements over the same backups never wait
   * for each other in a circle (the second waits at the first row the first holds); and each row
   * is rechecked as it is once locked, so a backup another pass pruned meanwhile is skipped and
   * each backup is pruned by exactly one pass. The writers that lock a backup row besides
   * retention (the runner, a restore, a deletion on request) lock one.
   */
  async markPrunable(scope: RetentionScope): Promise<Pruned> {
    const only = scope.instanceId ?? null;
    const after = scope.after ?? null;
    const upTo = scope.upTo ?? null;
    const rows = await this.prisma.$transaction(
      async (tx) => {
        // ranking a run's hundred thousand backups in memory rather than in temporary files;
        // joins by nested loops, so that rows are locked in the victims' order
        await tx.$executeRaw`SELECT set_config('work_mem', '32MB', true),
                                    set_config('enable_hashjoin', 'off', true),
                                    set_config('enable_mergejoin', 'off', true)`;
        return tx.$queryRaw<Array<{ storage_key: string | null }>>`
      WITH ranked AS (
        -- rank_in_status: for a done backup, its place among the instance's done backups,
        -- newest first (counted in the order of the (instance_id, number) index)
        SELECT b.pk, b.status, b.triggered_at, i.deleted_at, c.retention_time, c.min_backup_count,
               count(*) FILTER (WHERE b.status = 'done')
                 OVER (PARTITION BY b.instance_id ORDER BY b.number DESC ROWS UNBOUNDED PRECEDING)
                 AS rank_in_status
        FROM backups b
        JOIN instances i ON i.id = b.instance_id
        JOIN backups_config c ON c.instance_id = b.instance_id
        WHERE b.status IN ('done', 'failed')
          -- the scope on each table, so that each is read only for the run's instances
          AND (${only}::text IS NULL OR (b.instance_id = ${only}::text AND i.id = ${only}::text
                                          AND c.instance_id = ${only}::text))
          AND (${after}::text IS NULL OR (b.instance_id > ${after}::text AND i.id > ${after}::text
                                          AND c.instance_id > ${after}::text))
          AND (${upTo}::text IS NULL OR (b.instance_id <= ${upTo}::text AND i.id <= ${upTo}::text
                                          AND c.instance_id <= ${upTo}::text))
      ),
      victims AS MATERIALIZED (
        SELECT pk FROM ranked
        WHERE ((deleted_at IS NOT NULL
                AND deleted_at < ${scope.now}::timestamptz - make_interval(days => ${scope.deletedInstanceRetentionDays}::int))
           OR (triggered_at < ${scope.now}::timestamptz - make_interval(days => retention_time)
               AND (status = 'failed' OR rank_in_status > GREATEST(min_backup_count, 1))))
        ORDER BY pk
      )
      UPDATE backups b
      SET status = 'deleted', finished_at = ${scope.now}::timestamptz
      FROM victims v
      -- rechecked on the row as it is once locked: a backup that a restore accepted meanwhile
      -- holds (active_restores) stays until its restore ended
      WHERE b.pk = v.pk AND b.status IN ('done', 'failed') AND b.active_restores = 0
      RETURNING b.storage_key`;
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
   * Removes up to `limit` records of backups pruned before `cutoff` that no restore refers to;
   * returns how many.
   */
  removeDeletedRecords(cutoff: Date, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM backups WHERE pk IN (
        SELECT b.pk FROM backups b
        -- a backup is triggered before it is pruned: the index on triggered_at finds the few
        -- old enough to look at (finished_at, the time it was pruned, is in no index)
        WHERE b.triggered_at < ${cutoff} AND b.status = 'deleted' AND b.finished_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM restores r WHERE r.backup_pk = b.pk)
        ORDER BY b.pk
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)`;
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
