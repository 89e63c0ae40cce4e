import type { ByteProgress } from '../archive/byte-progress';
import { Injectable } from '@nestjs/common';
import { BackupNotFoundError, InstanceNotFoundError } from '../core/errors/domain-errors';
import { PrismaService } from '../core/prisma/prisma.service';
import type { TableCount } from '../engines/shared/dump-engine';
import type { Backup, BackupStatus, BackupTrigger, Verification } from '../generated/prisma/client';
import type { BackupWithKeyOrigin } from './dto/backup.response';

const WITH_KEY_ORIGIN = { encryptionKey: { select: { origin: true } } } as const;

/** A backup the recovery sweep looks at. */
export interface UnfinishedBackup {
  pk: bigint;
  backupId: string;
  instanceId: string;
  status: 'queued' | 'running';
  triggeredAt: Date;
  /** the worker running it said it is alive recently */
  heartbeatFresh: boolean;
}

export interface StoredArchive {
  storageKey: string;
  size: bigint;
  sha256: string;
  /** a base backup: where the instance's WAL stood when it started */
  walStartLsn?: string | null;
  /** what the dump held, counted on its way to storage (engines that count it) */
  contents?: TableCount[] | null;
  /** the dump's length: its bytes read on their way into the archive */
  dumpBytes?: number | null;
}

@Injectable()
export class BackupsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records a new queued backup with the next per-instance number and the instance's active
   * encryption key, in one statement (no interactive transaction, so no connection is held
   * across round trips under contention). The row lock of the UPDATE serialises numbering; the
   * unique index on active_instance_id (the instance's id while a backup is queued or running)
   * refuses a second queued/running backup (a unique violation), and the statement then rolls
   * back whole, giving the number back: numbers stay gapless and are never reused.
   */
  async insertQueued(
    instanceId: string,
    trigger: BackupTrigger,
    triggeredAt: Date,
  ): Promise<Backup> {
    const rows = await this.prisma.$queryRaw<Array<{ pk: bigint }>>`
      WITH next AS (
        UPDATE instances SET last_backup_number = last_backup_number + 1
        WHERE id = ${instanceId} AND deleted_at IS NULL
        RETURNING last_backup_number
      )
      INSERT INTO backup_rows
        (instance_id, number, backup_id, status, trigger, triggered_at, encryption_key_id)
      SELECT ${instanceId}, next.last_backup_number, ${`${instanceId}-${triggeredAt.getTime()}`},
             'queued', ${trigger}::backup_trigger, ${triggeredAt}, c.active_key_id
      FROM next JOIN backups_config c ON c.instance_id = ${instanceId}
      RETURNING pk`;
    if (rows.length === 0) throw new InstanceNotFoundError(instanceId);
    return this.prisma.backup.findUniqueOrThrow({ where: { pk: rows[0].pk } });
  }

  findByPk(pk: bigint): Promise<Backup | null> {
    return this.prisma.backup.findUnique({ where: { pk } });
  }

  /** Takes back a backup that could not be queued; only while it is still queued. */
  async deleteQueued(pk: bigint): Promise<void> {
    await this.prisma.backupRow.deleteMany({ where: { pk, status: 'queued' } });
  }

  /**
   * Moves a backup to running (again, when a worker retries it after a failure or a crash) and
   * starts its heartbeat; false when it is no longer queued or running. Like every time a
   * worker records, started_at is the database's clock, not the worker's: a worker whose clock
   * is off cannot write the future.
   */
  async markRunning(pk: bigint): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE backup_rows SET status = 'running', started_at = now(), heartbeat_at = now(),
                         bytes_read = NULL, bytes_written = NULL
      WHERE pk = ${pk} AND status IN ('queued', 'running')`;
    return count > 0;
  }

  /**
   * Says that the worker running this backup is alive. The database's own clock is used for
   * the heartbeat and for judging it, so workers on machines with skewed clocks agree.
   */
  async heartbeat(pk: bigint): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE backup_rows SET heartbeat_at = now() WHERE pk = ${pk} AND status = 'running'`;
  }

  /** How far the running backup has come: the dump's bytes read, the archive's written. */
  async recordProgress(pk: bigint, progress: ByteProgress): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE backup_rows SET bytes_read = ${progress.read}, bytes_written = ${progress.written}
      WHERE pk = ${pk} AND status = 'running'`;
  }

  /**
   * Backups that a worker should be busy with, oldest first, for the recovery sweep, each with
   * whether its heartbeat is younger than `freshSeconds`.
   */
  async listUnfinished(limit: number, freshSeconds: number): Promise<UnfinishedBackup[]> {
    const rows = await this.prisma.$queryRaw<
      Array<{
        pk: bigint;
        backup_id: string;
        instance_id: string;
        status: 'queued' | 'running';
        triggered_at: Date;
        alive: boolean;
      }>
    >`
      SELECT pk, backup_id, instance_id, status::text AS status, triggered_at,
             coalesce(heartbeat_at > now() - make_interval(secs => ${freshSeconds}::int), false) AS alive
      FROM backups
      -- queued or running: active_instance_id is set exactly then (and indexed)
      WHERE active_instance_id IS NOT NULL
      ORDER BY pk
      LIMIT ${limit}`;
    return rows.map((r) => ({
      pk: r.pk,
      backupId: r.backup_id,
      instanceId: r.instance_id,
      status: r.status,
      triggeredAt: r.triggered_at,
      heartbeatFresh: r.alive,
    }));
  }

  async markDone(pk: bigint, archive: StoredArchive): Promise<boolean> {
    const contents = archive.contents ? JSON.stringify(archive.contents) : null;
    // the contents with the result, in one statement: a done backup always has its counts
    const rows = await this.prisma.$queryRaw<Array<{ done: number }>>`
      WITH done AS (
        UPDATE backup_rows SET status = 'done', finished_at = now(),
               storage_key = ${archive.storageKey}, size = ${archive.size},
               sha256 = ${archive.sha256}, wal_start_lsn = ${archive.walStartLsn ?? null},
               bytes_read = ${archive.dumpBytes ?? null}, bytes_written = ${archive.size}
        WHERE pk = ${pk} AND status = 'running'
        RETURNING pk
      ), contents AS (
        INSERT INTO backup_contents (backup_pk, tables)
        SELECT pk, CAST(${contents} AS jsonb) FROM done WHERE ${contents}::text IS NOT NULL
        ON CONFLICT (backup_pk) DO UPDATE SET tables = EXCLUDED.tables
      )
      SELECT count(*)::int AS done FROM done`;
    return rows[0].done > 0;
  }

  /** Ends a queued or running backup `failed`; returns its times, or null when it had ended. */
  async markFailed(
    pk: bigint,
    reason: string,
  ): Promise<{ startedAt: Date | null; finishedAt: Date } | null> {
    const rows = await this.prisma.$queryRaw<Array<{ started_at: Date | null; finished_at: Date }>>`
      UPDATE backup_rows SET status = 'failed', finished_at = now(), failure_reason = ${reason}
      WHERE pk = ${pk} AND status IN ('queued', 'running')
      RETURNING started_at, finished_at`;
    return rows.length === 0
      ? null
      : { startedAt: rows[0].started_at, finishedAt: rows[0].finished_at };
  }

  /**
   * The backup that a route's `:id` names (validated by @RouteNumber), or BackupNotFoundError
   * (404; the download route answers it with 412).
   */
  async findOrFail(instanceId: string, number: number): Promise<BackupWithKeyOrigin> {
    const backup = await this.find(instanceId, number);
    if (!backup) throw new BackupNotFoundError(instanceId, String(number));
    return backup;
  }

  /** Backups across instances, newest first (by insertion), for the admin list. */
  listAcross(filter: {
    status?: BackupStatus;
    instanceId?: string;
    since?: Date;
    before?: bigint;
    limit: number;
  }): Promise<Array<Backup & { verification: Verification | null }>> {
    return this.prisma.backup.findMany({
      include: { verification: true },
      where: {
        status: filter.status,
        // (the same filter on the recorded status, which PostgreSQL applies before the join)
        recordedStatus: filter.status === 'deleted' ? undefined : filter.status,
        instanceId: filter.instanceId,
        triggeredAt: filter.since ? { gte: filter.since } : undefined,
        pk: filter.before !== undefined ? { lt: filter.before } : undefined,
      },
      orderBy: { pk: 'desc' },
      take: filter.limit,
    });
  }

  /**
   * Marks a done or failed backup `deleted` at a client's request, on its row, unless retention
   * pruned it already or a restore of it is queued or running (it holds the backup:
   * active_restores, checked on the row as it is once locked, so a restore accepted meanwhile
   * wins); returns its storage key, or null when nothing was marked.
   */
  async markDeletedOnRequest(pk: bigint, at: Date): Promise<{ storageKey: string | null } | null> {
    const rows = await this.prisma.$queryRaw<Array<{ storage_key: string | null }>>`
      UPDATE backup_rows b SET status = 'deleted', finished_at = ${at}
      WHERE b.pk = ${pk} AND b.status IN ('done', 'failed') AND b.active_restores = 0
        AND NOT EXISTS (SELECT 1 FROM backup_prunings p
                        WHERE p.backup_pk = b.pk AND p.pruned_at IS NOT NULL)
      RETURNING b.storage_key`;
    return rows.length === 0 ? null : { storageKey: rows[0].storage_key };
  }

  /** True while a restore of this backup is queued or running. */
  async hasActiveRestore(pk: bigint): Promise<boolean> {
    const n = await this.prisma.restore.count({
      where: { backupPk: pk, status: { in: ['queued', 'running'] } },
    });
    return n > 0;
  }

  find(instanceId: string, number: number): Promise<BackupWithKeyOrigin | null> {
    return this.prisma.backup.findUnique({
      where: { instanceId_number: { instanceId, number } },
      include: WITH_KEY_ORIGIN,
    });
  }
}
