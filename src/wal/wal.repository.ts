import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Instance } from '../generated/prisma/client';
import { lsnValue } from './lsn';
import { slotNames } from './wal-names';

export interface NewSegment {
  instanceId: string;
  timeline: number;
  segment: string;
  startLsn: string;
  endLsn: string;
  segmentSize: number;
  storageKey: string;
  size: bigint;
  sha256: string;
  encryptionKeyId: string;
  newestCommitAt: Date | null;
}

@Injectable()
export class WalRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Gives every registered continuous-archiving PostgreSQL instance a receiver row. */
  async ensureReceivers(): Promise<void> {
    const missing = await this.prisma.instance.findMany({
      where: {
        type: 'postgresql',
        backupType: 'continuous_archiving',
        deletedAt: null,
        walReceiver: null,
      },
      select: { id: true },
    });
    if (missing.length === 0) return;
    await this.prisma.walReceiver.createMany({
      data: missing.map((i) => ({ instanceId: i.id, slotName: slotNames(i.id).shipped })),
      skipDuplicates: true,
    });
  }

  /**
   * Takes up to `limit` receivers whose lease ran out (or was never held) for `leaseMs`, skipping
   * rows another worker is taking right now. Deregistered instances are taken too: their
   * receiver's last duty is dropping the slots.
   */
  async claim(workerId: string, limit: number, leaseMs: number): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.prisma.$queryRaw<{ instance_id: string }[]>`
      UPDATE wal_receivers SET worker_id = ${workerId}::uuid,
        lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
      WHERE instance_id IN (
        SELECT instance_id FROM wal_receivers
        WHERE lease_until IS NULL OR lease_until < now()
        ORDER BY instance_id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING instance_id`;
    return rows.map((r) => r.instance_id);
  }

  /** Extends this worker's leases; returns the instances it still holds. */
  async renew(workerId: string, leaseMs: number): Promise<Set<string>> {
    const rows = await this.prisma.$queryRaw<{ instance_id: string }[]>`
      UPDATE wal_receivers SET lease_until = now() + ${leaseMs} * interval '1 millisecond'
      WHERE worker_id = ${workerId}::uuid AND lease_until >= now()
      RETURNING instance_id`;
    return new Set(rows.map((r) => r.instance_id));
  }

  async release(workerId: string, instanceId: string): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: { instanceId, workerId },
      data: { leaseUntil: null, workerId: null, state: 'idle' },
    });
  }

  async setState(instanceId: string, state: string, lastError: string | null): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: { instanceId },
      data: { state, lastError, updatedAt: new Date() },
    });
  }

  /** The receiver is gone with its slots: the row goes too. */
  async forget(instanceId: string): Promise<void> {
    await this.prisma.walReceiver.deleteMany({ where: { instanceId } });
  }

  instance(id: string): Promise<Instance | null> {
    return this.prisma.instance.findUnique({ where: { id } });
  }

  /** The key new archives of the instance are encrypted with. */
  async activeKeyId(instanceId: string): Promise<string | null> {
    const config = await this.prisma.backupsConfig.findUnique({
      where: { instanceId },
      select: { activeKeyId: true },
    });
    return config?.activeKeyId ?? null;
  }

  async recordSegment(s: NewSegment): Promise<void> {
    await this.prisma.walSegment.upsert({
      where: {
        instanceId_segment_startLsn: {
          instanceId: s.instanceId,
          segment: s.segment,
          startLsn: s.startLsn,
        },
      },
      create: s,
      update: s,
    });
  }

  /** The end of the newest piece of the instance's WAL in storage (null: none). */
  async shippedEnd(instanceId: string): Promise<bigint | null> {
    const rows = await this.prisma.$queryRaw<{ end_lsn: string | null }[]>`
      SELECT max(end_lsn::pg_lsn)::text AS end_lsn FROM wal_segments
      WHERE instance_id = ${instanceId}`;
    return rows[0]?.end_lsn ? lsnValue(rows[0].end_lsn) : null;
  }

  async observed(
    instanceId: string,
    slot: { walStatus: string | null; retainedBytes: bigint | null },
  ): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: { instanceId },
      data: { slotWalStatus: slot.walStatus, retainedBytes: slot.retainedBytes },
    });
  }

  /**
   * Records a gap, with the newest moment storage covered before it (the window's end then), and
   * lets the next base backup be requested at once.
   */
  async recordGap(instanceId: string, from: string, to: string, reason: string): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO wal_gaps (instance_id, from_lsn, to_lsn, reason, last_good_at)
      SELECT ${instanceId}, ${from}, ${to}, ${reason}, greatest(
        (SELECT max(newest_commit_at) FROM wal_segments
         WHERE instance_id = ${instanceId} AND end_lsn::pg_lsn <= ${from}::pg_lsn),
        (SELECT caught_up_at FROM wal_receivers
         WHERE instance_id = ${instanceId} AND caught_up_lsn::pg_lsn <= ${from}::pg_lsn))`;
  }

  /**
   * Gaps of these instances whose base backup has not been requested yet; a deregistered
   * instance gets no backup.
   */
  gapsWithoutBackup(instanceIds: string[]): Promise<{ pk: bigint; instanceId: string }[]> {
    return this.prisma.walGap.findMany({
      where: {
        instanceId: { in: instanceIds },
        backupRequestedAt: null,
        instance: { deletedAt: null },
      },
      select: { pk: true, instanceId: true },
    });
  }

  async backupRequested(pk: bigint): Promise<void> {
    await this.prisma.walGap.update({ where: { pk }, data: { backupRequestedAt: new Date() } });
  }

  async caughtUp(instanceId: string, at: Date, lsn: string): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: { instanceId },
      data: { caughtUpAt: at, caughtUpLsn: lsn },
    });
  }

  /**
   * Removes the records of segments no restore can use any more, up to `limit`, and returns
   * their storage keys: those that end before the segment in which the WAL of the instance's
   * oldest `done` base backup starts (a restore starts from a base backup and needs that
   * segment, whose first page PostgreSQL checks, and what came after it), or,
   * while it has none, older than its retention_time; and all of an instance deregistered more than
   * `deletedInstanceDays` ago. Safe beside another worker doing the same (each row goes once).
   */
  async pruneSegments(deletedInstanceDays: number, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ storage_key: string }[]>`
      DELETE FROM wal_segments WHERE pk IN (
        SELECT s.pk FROM wal_segments s
        JOIN instances i ON i.id = s.instance_id
        LEFT JOIN backups_config c ON c.instance_id = s.instance_id
        WHERE (i.deleted_at IS NOT NULL
               AND i.deleted_at < now() - make_interval(days => ${deletedInstanceDays}::int))
           OR s.end_lsn::pg_lsn - '0/0'::pg_lsn <= (
                 SELECT (min(b.wal_start_lsn::pg_lsn) - '0/0'::pg_lsn)
                        - mod(min(b.wal_start_lsn::pg_lsn) - '0/0'::pg_lsn, s.segment_size)
                 FROM backups b WHERE b.instance_id = s.instance_id AND b.status = 'done')
           OR (s.created_at < now() - make_interval(days => coalesce(c.retention_time, 0))
               AND NOT EXISTS (SELECT 1 FROM backups b WHERE b.instance_id = s.instance_id
                               AND b.status = 'done' AND b.wal_start_lsn IS NOT NULL))
        LIMIT ${limit}
        FOR UPDATE OF s SKIP LOCKED)
      RETURNING storage_key`;
    return rows.map((r) => r.storage_key);
  }
}
