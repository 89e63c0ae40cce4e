import type { ByteProgress } from '../archive/byte-progress';
import { Injectable } from '@nestjs/common';
import { InstanceNotFoundError } from '../core/errors/domain-errors';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Restore } from '../generated/prisma/client';
import type { RestoreWithBackup } from './dto/restore.response';
import { microsText } from '../core/validation/moment';

const WITH_BACKUP = { backup: { select: { number: true, triggeredAt: true } } } as const;

/** A restore the recovery sweep looks at. */
export interface UnfinishedRestore {
  pk: bigint;
  instanceId: string;
  number: number;
  status: 'queued' | 'running';
  triggeredAt: Date;
  heartbeatFresh: boolean;
}

@Injectable()
export class RestoresRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records a queued restore with the next per-instance number, in one statement. The database
   * refuses it while another restore (partial unique index) or a backup (trigger, after the
   * instance row lock) of the instance is queued or running; the statement then rolls back
   * whole, giving the number back.
   */
  async insertQueued(
    instanceId: string,
    backupPk: bigint,
    triggeredAt: Date,
    options: { targetInstanceId?: string | null; pointInTimeMicros?: bigint | null } = {},
  ): Promise<Restore> {
    const targetInstanceId = options.targetInstanceId ?? null;
    // as text: a Date would cut the moment to the millisecond
    const pointInTime =
      options.pointInTimeMicros == null ? null : microsText(options.pointInTimeMicros);
    const rows = await this.prisma.$queryRaw<Array<{ pk: bigint }>>`
      WITH next AS (
        UPDATE instances SET last_restore_number = last_restore_number + 1
        WHERE id = ${instanceId} AND deleted_at IS NULL
        RETURNING last_restore_number
      )
      INSERT INTO restores (instance_id, number, backup_pk, status, triggered_at, target_instance_id,
                            point_in_time)
      SELECT ${instanceId}, next.last_restore_number, ${backupPk}, 'queued', ${triggeredAt},
             ${targetInstanceId}, ${pointInTime}::timestamptz
      FROM next
      RETURNING pk`;
    if (rows.length === 0) throw new InstanceNotFoundError(instanceId);
    return this.prisma.restore.findUniqueOrThrow({ where: { pk: rows[0].pk } });
  }

  /** The restore's moment in microseconds since 1970 (null: it restores a backup as it is). */
  async pointInTimeMicros(pk: bigint): Promise<bigint | null> {
    const rows = await this.prisma.$queryRaw<{ micros: bigint | null }[]>`
      SELECT (extract(epoch FROM point_in_time) * 1000000)::bigint AS micros
      FROM restores WHERE pk = ${pk}`;
    return rows[0]?.micros == null ? null : BigInt(rows[0].micros);
  }

  async deleteQueued(pk: bigint): Promise<void> {
    await this.prisma.restore.deleteMany({ where: { pk, status: 'queued' } });
  }

  findByPk(pk: bigint): Promise<Restore | null> {
    return this.prisma.restore.findUnique({ where: { pk } });
  }

  /**
   * Moves a queued restore to running; false when it is not queued (a restore runs once). The
   * times a worker records are the database's clock, as for backups.
   */
  async markRunning(pk: bigint): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE restores SET status = 'running', started_at = now(), heartbeat_at = now()
      WHERE pk = ${pk} AND status = 'queued'`;
    return count > 0;
  }

  async heartbeat(pk: bigint): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE restores SET heartbeat_at = now() WHERE pk = ${pk} AND status = 'running'`;
  }

  /** How far the running restore has come: the archive's bytes read. */
  async recordProgress(pk: bigint, progress: ByteProgress): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE restores SET bytes_read = ${progress.read} WHERE pk = ${pk} AND status = 'running'`;
  }

  /** Ends a running restore `done`, with the archive's bytes it read. */
  async markDone(pk: bigint, bytesRead: number): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE restores SET status = 'done', finished_at = now(), bytes_read = ${bytesRead}
      WHERE pk = ${pk} AND status = 'running'`;
    return count > 0;
  }

  async markFailed(pk: bigint, reason: string): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE restores SET status = 'failed', finished_at = now(), failure_reason = ${reason}
      WHERE pk = ${pk} AND status IN ('queued', 'running')`;
    return count > 0;
  }

  /** Restores a worker should be busy with, oldest first, with whether their heartbeat is fresh. */
  async listUnfinished(limit: number, freshSeconds: number): Promise<UnfinishedRestore[]> {
    const rows = await this.prisma.$queryRaw<
      Array<{
        pk: bigint;
        instance_id: string;
        number: number;
        status: 'queued' | 'running';
        triggered_at: Date;
        alive: boolean;
      }>
    >`
      SELECT pk, instance_id, number, status::text AS status, triggered_at,
             coalesce(heartbeat_at > now() - make_interval(secs => ${freshSeconds}::int), false) AS alive
      FROM restores
      WHERE status IN ('queued', 'running')
      ORDER BY pk
      LIMIT ${limit}`;
    return rows.map((r) => ({
      pk: r.pk,
      instanceId: r.instance_id,
      number: r.number,
      status: r.status,
      triggeredAt: r.triggered_at,
      heartbeatFresh: r.alive,
    }));
  }

  /**
   * All restores of an instance, newest first: its own, and the forks of other instances into
   * it (what was written into it is its owners' to see).
   */
  list(instanceId: string): Promise<RestoreWithBackup[]> {
    return this.prisma.restore.findMany({
      where: { OR: [{ instanceId }, { targetInstanceId: instanceId }] },
      orderBy: [{ triggeredAt: 'desc' }, { number: 'desc' }],
      include: WITH_BACKUP,
    });
  }

  find(instanceId: string, number: number): Promise<RestoreWithBackup | null> {
    return this.prisma.restore.findUnique({
      where: { instanceId_number: { instanceId, number } },
      include: WITH_BACKUP,
    });
  }
}
