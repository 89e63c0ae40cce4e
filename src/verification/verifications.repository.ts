import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { TableCount } from '../engines/shared/dump-engine';
import type { Verification } from '../generated/prisma/client';

/** A verification the recovery sweep looks at. */
export interface RunningVerification {
  backupPk: bigint;
  startedAt: Date;
  heartbeatFresh: boolean;
}

/** How a verification ended, and what the scratch server held (where it got that far). */
export type VerificationResult = (
  | { status: 'verified'; tables: number; rows: bigint }
  | { status: 'failed'; reason: string; tables?: number; rows?: bigint }
) & { durationMs?: number };

/**
 * The verification record of each backup (at most one: the newest). A backup is verified at
 * most once at a time: a claim succeeds only while no verification of it is running.
 */
@Injectable()
export class VerificationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(backupPk: bigint): Promise<Verification | null> {
    return this.prisma.verification.findUnique({ where: { backupPk } });
  }

  /**
   * Claims a done backup for a verification asked for now, replacing an earlier result; null
   * when one is running already (or the backup is not done).
   */
  async claim(backupPk: bigint): Promise<Verification | null> {
    const rows = await this.prisma.$queryRaw<Array<{ backup_pk: bigint }>>`
      INSERT INTO verifications (backup_pk, instance_id, status, started_at, heartbeat_at)
      SELECT b.pk, b.instance_id, 'running', now(), now()
      FROM backups b WHERE b.pk = ${backupPk} AND b.status = 'done'
      ON CONFLICT (backup_pk) DO UPDATE
        SET status = 'running', started_at = now(), heartbeat_at = now(), finished_at = NULL,
            tables = NULL, rows = NULL, failure_reason = NULL
        WHERE verifications.status <> 'running'
      RETURNING backup_pk`;
    return rows.length === 0 ? null : this.find(backupPk);
  }

  /** Claims a done backup for its scheduled verification: only if it was never verified. */
  async claimUnverified(backupPk: bigint): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      INSERT INTO verifications (backup_pk, instance_id, status, started_at, heartbeat_at)
      SELECT b.pk, b.instance_id, 'running', now(), now()
      FROM backups b WHERE b.pk = ${backupPk} AND b.status = 'done'
      ON CONFLICT (backup_pk) DO NOTHING`;
    return count > 0;
  }

  async heartbeat(backupPk: bigint): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE verifications SET heartbeat_at = now()
      WHERE backup_pk = ${backupPk} AND status = 'running'`;
  }

  /** Ends a running verification; false when it had ended (e.g. failed by the sweep). */
  async finish(backupPk: bigint, result: VerificationResult): Promise<boolean> {
    const reason = result.status === 'failed' ? result.reason : null;
    const count = await this.prisma.$executeRaw`
      UPDATE verifications
      SET status = ${result.status}::"VerificationStatus", finished_at = now(),
          duration_ms = ${result.durationMs ?? null},
          tables = ${result.tables ?? null}, rows = ${result.rows ?? null},
          failure_reason = ${reason}
      WHERE backup_pk = ${backupPk} AND status = 'running'`;
    return count > 0;
  }

  /** What the backup's dump held, counted while it was made; null when nothing was counted. */
  async contents(backupPk: bigint): Promise<TableCount[] | null> {
    const row = await this.prisma.backupContents.findUnique({ where: { backupPk } });
    return row ? (row.tables as unknown as TableCount[]) : null;
  }

  /** Running verifications, oldest first, with whether their worker is still beating. */
  async listRunning(limit: number, freshSeconds: number): Promise<RunningVerification[]> {
    const rows = await this.prisma.$queryRaw<
      Array<{ backup_pk: bigint; started_at: Date; fresh: boolean }>
    >`
      SELECT backup_pk, started_at, heartbeat_at > now() - make_interval(secs => ${freshSeconds}) AS fresh
      FROM verifications WHERE status = 'running'
      ORDER BY started_at LIMIT ${limit}`;
    return rows.map((r) => ({
      backupPk: r.backup_pk,
      startedAt: r.started_at,
      heartbeatFresh: r.fresh,
    }));
  }

  /**
   * For the schedule: the newest done backup of each registered instance that has no
   * verification yet, a page at a time in instance order.
   */
  async unverifiedNewest(
    after: string | null,
    limit: number,
  ): Promise<Array<{ backupPk: bigint; instanceId: string }>> {
    const rows = await this.prisma.$queryRaw<Array<{ pk: bigint; instance_id: string }>>`
      SELECT b.pk, b.instance_id
      FROM instances i
      CROSS JOIN LATERAL (
        SELECT pk, instance_id FROM backups
        WHERE instance_id = i.id AND status = 'done'
        ORDER BY number DESC LIMIT 1
      ) b
      WHERE i.deleted_at IS NULL AND i.id > ${after ?? ''}
        AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.backup_pk = b.pk)
      ORDER BY i.id LIMIT ${limit}`;
    return rows.map((r) => ({ backupPk: r.pk, instanceId: r.instance_id }));
  }
}
