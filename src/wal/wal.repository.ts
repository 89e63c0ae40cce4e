import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import { receiverServerId } from '../engines/mariadb/binlog';
import { slotNames } from '../engines/postgresql/replication-slots';
import type { Instance } from '../generated/prisma/client';
import { lsnValue } from './lsn';

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
  /** the newest commit's time to the microsecond, as RFC 3339 (`…T14:18:54.123456Z`) */
  newestCommitAt: string | null;
  /** MariaDB: the GTIDs of the first and last transaction the piece holds */
  firstGtid?: string | null;
  lastGtid?: string | null;
}

/** A worker's hold on one instance's receiver: its lease, of one generation. */
export interface ReceiverLease {
  instanceId: string;
  workerId: string;
  generation: bigint;
}

/**
 * The worker no longer holds the receiver's lease of this generation (it ran out, and another
 * worker may have claimed it): what it would write is not recorded.
 */
export class LeaseLostError extends Error {
  constructor(lease: ReceiverLease) {
    super(
      `this worker no longer holds the WAL receiver lease of instance ${lease.instanceId} (generation ${lease.generation})`,
    );
  }
}

/** A gap in an instance's WAL archive, as recorded. */
export interface RecordedGap {
  instanceId: string;
  fromLsn: string;
  toLsn: string;
  reason: string;
}

@Injectable()
export class WalRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Gives every registered continuous-archiving instance a receiver row (a MariaDB one's "slot"
   * names the server id its receiver connects with: the server keeps nothing for it).
   */
  async ensureReceivers(): Promise<void> {
    const missing = await this.prisma.instance.findMany({
      where: { backupType: 'continuous_archiving', deletedAt: null, walReceiver: null },
      select: { id: true, type: true },
    });
    if (missing.length === 0) return;
    await this.prisma.walReceiver.createMany({
      data: missing.map((i) => ({
        instanceId: i.id,
        slotName:
          i.type === 'postgresql' ? slotNames(i.id).shipped : `server_id ${receiverServerId(i.id)}`,
      })),
      skipDuplicates: true,
    });
  }

  /** The GTID of the newest transaction the instance's binlog archive holds (null: none). */
  async lastGtid(instanceId: string): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ last_gtid: string }[]>`
      SELECT last_gtid FROM wal_segments
      WHERE instance_id = ${instanceId} AND last_gtid IS NOT NULL
      ORDER BY end_lsn::pg_lsn DESC LIMIT 1`;
    return rows[0]?.last_gtid ?? null;
  }

  /** Where the instance's oldest base backup (any state) starts in its log; null: none has. */
  async firstBackupPosition(instanceId: string): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ lsn: string | null }[]>`
      SELECT min(wal_start_lsn::pg_lsn)::text AS lsn FROM backups
      WHERE instance_id = ${instanceId} AND wal_start_lsn IS NOT NULL`;
    return rows[0]?.lsn ?? null;
  }

  /**
   * Takes up to `limit` receivers whose lease ran out (or was never held) for `leaseMs`, skipping
   * rows another worker is taking right now; each claim is a new generation of the receiver.
   * Deregistered instances are taken too: their receiver's last duty is dropping the slots.
   */
  async claim(workerId: string, limit: number, leaseMs: number): Promise<ReceiverLease[]> {
    if (limit <= 0) return [];
    const rows = await this.prisma.$queryRaw<{ instance_id: string; generation: bigint }[]>`
      UPDATE wal_receivers SET worker_id = ${workerId}::uuid,
        lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now(),
        generation = generation + 1
      WHERE instance_id IN (
        SELECT instance_id FROM wal_receivers
        WHERE lease_until IS NULL OR lease_until < now()
        ORDER BY instance_id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING instance_id, generation`;
    return rows.map((r) => ({ instanceId: r.instance_id, workerId, generation: r.generation }));
  }

  /** Whether the worker still holds this lease: same generation, not run out. */
  async holds(lease: ReceiverLease): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<unknown[]>`
      SELECT 1 FROM wal_receivers
      WHERE instance_id = ${lease.instanceId} AND worker_id = ${lease.workerId}::uuid
        AND generation = ${lease.generation} AND lease_until >= now()`;
    return rows.length > 0;
  }

  /** Extends this worker's leases that have not run out; returns those it still holds. */
  async renew(workerId: string, leaseMs: number): Promise<Map<string, ReceiverLease>> {
    const rows = await this.prisma.$queryRaw<{ instance_id: string; generation: bigint }[]>`
      UPDATE wal_receivers SET lease_until = now() + ${leaseMs} * interval '1 millisecond'
      WHERE worker_id = ${workerId}::uuid AND lease_until >= now()
      RETURNING instance_id, generation`;
    return new Map(
      rows.map((r) => [
        r.instance_id,
        { instanceId: r.instance_id, workerId, generation: r.generation },
      ]),
    );
  }

  async release(workerId: string, instanceId: string): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: { instanceId, workerId },
      data: { leaseUntil: null, workerId: null, state: 'idle' },
    });
  }

  /** The receiver's state, as the holder of `lease` (or, without one, as its retirer) says. */
  async setState(
    instanceId: string,
    state: string,
    lastError: string | null,
    lease?: ReceiverLease,
  ): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: {
        instanceId,
        ...(lease && { workerId: lease.workerId, generation: lease.generation }),
      },
      data: { state, lastError, updatedAt: new Date() },
    });
  }

  /**
   * The receiver failed (as the holder of `lease`); `announce`: the first failure of an outage,
   * queued for the webhooks that want `wal.receiver_failed` in the same statement.
   */
  async failed(lease: ReceiverLease, reason: string, announce: boolean): Promise<void> {
    await this.prisma.$executeRaw`
      WITH failed AS (
        UPDATE wal_receivers SET state = 'failed', last_error = ${reason}, updated_at = now()
        WHERE instance_id = ${lease.instanceId} AND worker_id = ${lease.workerId}::uuid
          AND generation = ${lease.generation}
        RETURNING instance_id, updated_at)
      SELECT queue_webhook_deliveries('wal.receiver_failed', json_build_object(
        'instance_id', instance_id, 'reason', ${reason}::text, 'failed_at', api_time(updated_at)))
      FROM failed WHERE ${announce}`;
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

  /**
   * Records a stored piece, in one transaction that first confirms (and locks, so that no claim
   * can slip in between) that the worker still holds `lease`: LeaseLostError otherwise. A piece
   * is never recorded over another: one recorded already from the same LSN is an error.
   */
  async recordPiece(s: NewSegment, lease: ReceiverLease): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const held = await tx.$queryRaw<unknown[]>`
        SELECT 1 FROM wal_receivers
        WHERE instance_id = ${lease.instanceId} AND worker_id = ${lease.workerId}::uuid
          AND generation = ${lease.generation} AND lease_until >= now()
        FOR UPDATE`;
      if (held.length === 0) throw new LeaseLostError(lease);
      const inserted = await tx.$executeRaw`
        INSERT INTO wal_segments (instance_id, timeline, segment, start_lsn, end_lsn, segment_size,
          storage_key, size, sha256, encryption_key_id, newest_commit_at, generation,
          first_gtid, last_gtid)
        VALUES (${s.instanceId}, ${s.timeline}, ${s.segment}, ${s.startLsn}, ${s.endLsn},
          ${s.segmentSize}, ${s.storageKey}, ${s.size}, ${s.sha256}, ${s.encryptionKeyId}::uuid,
          ${s.newestCommitAt}::timestamptz, ${lease.generation}, ${s.firstGtid ?? null},
          ${s.lastGtid ?? null})
        ON CONFLICT (instance_id, segment, start_lsn) DO NOTHING`;
      if (inserted === 0) {
        throw new Error(
          `a piece of WAL segment ${s.segment} from ${s.startLsn} is recorded already; the new one was not recorded over it`,
        );
      }
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
      data: {
        slotWalStatus: slot.walStatus,
        retainedBytes: slot.retainedBytes,
        slotObservedAt: new Date(),
      },
    });
  }

  /**
   * Takes up to `limit` receivers whose slot was last read more than `everyMs` ago (or never),
   * marking them read now, skipping rows another process is taking: every process may call it,
   * and each slot is read by one of them. Deregistered instances are left out.
   */
  async slotsDue(
    limit: number,
    everyMs: number,
  ): Promise<{ instanceId: string; slotName: string; credentials: Uint8Array }[]> {
    const rows = await this.prisma.$queryRaw<{ instance_id: string; slot_name: string }[]>`
      UPDATE wal_receivers SET slot_observed_at = now()
      WHERE instance_id IN (
        SELECT r.instance_id FROM wal_receivers r JOIN instances i ON i.id = r.instance_id
        WHERE i.deleted_at IS NULL AND i.type = 'postgresql'
          AND (r.slot_observed_at IS NULL
               OR r.slot_observed_at < now() - ${everyMs} * interval '1 millisecond')
        ORDER BY r.slot_observed_at NULLS FIRST LIMIT ${limit}
        FOR UPDATE OF r SKIP LOCKED)
      RETURNING instance_id, slot_name`;
    const instances = await this.prisma.instance.findMany({
      where: { id: { in: rows.map((r) => r.instance_id) } },
      select: { id: true, credentials: true },
    });
    const credentials = new Map(instances.map((i) => [i.id, i.credentials]));
    return rows.flatMap((r) => {
      const sealed = credentials.get(r.instance_id);
      return sealed
        ? [{ instanceId: r.instance_id, slotName: r.slot_name, credentials: sealed }]
        : [];
    });
  }

  /**
   * Records a gap, with the newest moment storage covered before it (the window's end then), and
   * lets the next base backup be requested at once; only while `lease` is held, and only once
   * (false when it was recorded already, or the lease is lost).
   */
  async recordGap(
    lease: ReceiverLease,
    from: string,
    to: string,
    reason: string,
  ): Promise<boolean> {
    const { instanceId } = lease;
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO wal_gaps (instance_id, from_lsn, to_lsn, reason, last_good_at)
      SELECT ${instanceId}, ${from}, ${to}, ${reason}, greatest(
        (SELECT max(newest_commit_at) FROM wal_segments
         WHERE instance_id = ${instanceId} AND end_lsn::pg_lsn <= ${from}::pg_lsn),
        (SELECT caught_up_at FROM wal_receivers
         WHERE instance_id = ${instanceId} AND caught_up_lsn::pg_lsn <= ${from}::pg_lsn))
      WHERE EXISTS (SELECT 1 FROM wal_receivers
                    WHERE instance_id = ${instanceId} AND worker_id = ${lease.workerId}::uuid
                      AND generation = ${lease.generation} AND lease_until >= now())
        AND NOT EXISTS (SELECT 1 FROM wal_gaps
                        WHERE instance_id = ${instanceId} AND from_lsn::pg_lsn = ${from}::pg_lsn
                          AND to_lsn::pg_lsn = ${to}::pg_lsn)`;
    return inserted > 0;
  }

  /**
   * Every break in the chain of recorded pieces that no recorded gap covers yet: a piece that
   * starts after the end of everything before it (in LSN order; pieces may overlap, as a newer
   * timeline's do where it switched). Whatever its cause (a piece or its record removed, a bug),
   * the WAL in between is in no stored piece.
   */
  async unrecordedBreaks(instanceId: string): Promise<{ from: string; to: string }[]> {
    const rows = await this.prisma.$queryRaw<{ from_lsn: string; to_lsn: string }[]>`
      WITH chain AS (
        SELECT start_lsn::pg_lsn AS s,
               max(end_lsn::pg_lsn) OVER (ORDER BY start_lsn::pg_lsn, timeline
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
        FROM wal_segments WHERE instance_id = ${instanceId}
      )
      SELECT prev_end::text AS from_lsn, s::text AS to_lsn FROM chain
      WHERE s > prev_end
        AND NOT EXISTS (SELECT 1 FROM wal_gaps g
                        WHERE g.instance_id = ${instanceId} AND g.from_lsn::pg_lsn <= prev_end
                          AND g.to_lsn::pg_lsn >= s)`;
    return rows.map((r) => ({ from: r.from_lsn, to: r.to_lsn }));
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

  async caughtUp(lease: ReceiverLease, at: Date, lsn: string): Promise<void> {
    await this.prisma.walReceiver.updateMany({
      where: {
        instanceId: lease.instanceId,
        workerId: lease.workerId,
        generation: lease.generation,
      },
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
