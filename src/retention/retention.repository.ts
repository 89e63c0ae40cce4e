import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

export interface PrunedBackup {
  pk: bigint;
  storageKey: string | null;
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

/** The advisory lock that lets one retention statement run at a time, whichever worker runs it. */
const RETENTION_LOCK = 0x62_6d_72_65_74n; // "bmret"

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
   * These statements run one at a time (a transaction-level advisory lock): a second waits for
   * the first and then finds its victims already deleted, so each row is pruned by exactly one
   * pass, and two passes never lock rows in different orders (no deadlock). The UPDATE itself
   * locks each row it changes and rechecks it as it is then.
   */
  async markPrunable(scope: RetentionScope): Promise<PrunedBackup[]> {
    const rows = await this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RETENTION_LOCK}::bigint)`;
        return tx.$queryRaw<Array<{ pk: bigint; storage_key: string | null }>>`
      WITH ranked AS (
        SELECT b.pk, b.status, b.triggered_at, i.deleted_at, c.retention_time, c.min_backup_count,
               row_number() OVER (PARTITION BY b.instance_id, b.status ORDER BY b.number DESC) AS rank_in_status
        FROM backups b
        JOIN instances i ON i.id = b.instance_id
        JOIN backups_config c ON c.instance_id = b.instance_id
        WHERE b.status IN ('done', 'failed')
          AND (${scope.instanceId ?? null}::text IS NULL OR b.instance_id = ${scope.instanceId ?? null}::text)
          AND (${scope.after ?? null}::text IS NULL OR b.instance_id > ${scope.after ?? null}::text)
          AND (${scope.upTo ?? null}::text IS NULL OR b.instance_id <= ${scope.upTo ?? null}::text)
      ),
      victims AS (
        SELECT pk FROM ranked
        WHERE ((deleted_at IS NOT NULL
                AND deleted_at < ${scope.now}::timestamptz - make_interval(days => ${scope.deletedInstanceRetentionDays}::int))
           OR (triggered_at < ${scope.now}::timestamptz - make_interval(days => retention_time)
               AND (status = 'failed' OR rank_in_status > GREATEST(min_backup_count, 1))))
      )
      UPDATE backups b
      SET status = 'deleted', finished_at = ${scope.now}::timestamptz
      FROM victims v
      -- rechecked on the row as it is once locked: a backup that a restore accepted meanwhile
      -- holds (active_restores) stays until its restore ended
      WHERE b.pk = v.pk AND b.status IN ('done', 'failed') AND b.active_restores = 0
      RETURNING b.pk, b.storage_key`;
      },
      // a pass over a million backups, or one waiting for such a pass, takes more than the
      // client's default five seconds
      { maxWait: 60_000, timeout: 30 * 60_000 },
    );
    return rows.map((r) => ({ pk: r.pk, storageKey: r.storage_key }));
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
