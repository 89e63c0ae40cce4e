import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

/** The stretch of time an instance can be restored to, and where its WAL starts. */
export interface PitrWindow {
  /** the end of the oldest kept base backup whose WAL (from the start of its first segment) follows without a break */
  start: Date | null;
  /**
   * the newest moment that WAL shows: its newest commit, or later, when the receiver saw that
   * storage held everything the server had written by then; rounded up to the millisecond (a
   * commit time has microseconds), so that a restore to it holds everything stored
   */
  end: Date | null;
  /** the first LSN of the unbroken stretch of archived WAL that reaches the newest segment */
  fromLsn: string | null;
  /** the instance's WAL segment size in bytes */
  segmentSize: number;
}

/** One archived piece of a segment that a recovery replays. */
export interface WalToReplay {
  segment: string;
  segmentSize: number;
  storageKey: string;
  size: bigint;
  sha256: string;
  encryptionKeyId: string;
  startLsn: string;
  endLsn: string;
  /** the newest commit's time in microseconds since 1970 (a Date would cut it to milliseconds) */
  newestCommitMicros: bigint | null;
}

/**
 * Reads what point-in-time recovery is made of: an instance's base backups (backups with a
 * `wal_start_lsn`) and the pieces of its archived WAL segments. The WAL a restore can use is the newest
 * unbroken stretch (each segment starting where the one before ended); a base backup counts
 * when its WAL starts inside that stretch.
 */
@Injectable()
export class PitrRepository {
  constructor(private readonly prisma: PrismaService) {}

  async window(instanceId: string): Promise<PitrWindow> {
    const rows = await this.prisma.$queryRaw<
      {
        from_lsn: string | null;
        segment_size: number | null;
        start_time: Date | null;
        end_time: Date | null;
      }[]
    >`
      WITH segs AS (
        SELECT start_lsn::pg_lsn AS s, end_lsn::pg_lsn AS e, newest_commit_at, segment_size,
               lag(end_lsn::pg_lsn) OVER (ORDER BY start_lsn::pg_lsn, timeline) AS prev_end
        FROM wal_segments WHERE instance_id = ${instanceId}
      ), run AS (
        SELECT max(s) FILTER (WHERE prev_end IS DISTINCT FROM s) AS from_lsn,
               max(segment_size) AS segment_size
        FROM segs
      ), ends AS (
        SELECT run.*, greatest(
          (SELECT max(newest_commit_at) FROM segs WHERE s >= run.from_lsn),
          (SELECT r.caught_up_at FROM wal_receivers r
           WHERE r.instance_id = ${instanceId}
             AND r.caught_up_lsn::pg_lsn >= (SELECT max(e) FROM segs))) AS newest
        FROM run
      )
      SELECT from_lsn::text AS from_lsn, segment_size,
        (SELECT min(b.finished_at) FROM backups b
         WHERE b.instance_id = ${instanceId} AND b.status = 'done'
           AND (b.wal_start_lsn::pg_lsn - '0/0'::pg_lsn)
               - mod(b.wal_start_lsn::pg_lsn - '0/0'::pg_lsn, segment_size)
               >= from_lsn - '0/0'::pg_lsn) AS start_time,
        -- up to the next millisecond: a commit at 10:00:00.000400 ends the window at .001
        date_trunc('milliseconds', newest)
          + CASE WHEN newest > date_trunc('milliseconds', newest)
                 THEN interval '1 millisecond' ELSE interval '0' END AS end_time
      FROM ends`;
    const row = rows[0];
    return {
      start: row?.start_time ?? null,
      end: row?.end_time ?? null,
      fromLsn: row?.from_lsn ?? null,
      segmentSize: row?.segment_size ?? 16 * 1024 * 1024,
    };
  }

  /**
   * The newest done base backup that ended by `moment` and whose WAL, from the start of the
   * segment it starts in, is inside the stretch from `fromLsn`.
   */
  async baseBackupFor(
    instanceId: string,
    { fromLsn, segmentSize }: { fromLsn: string; segmentSize: number },
    moment: Date,
  ): Promise<{ pk: bigint; number: number } | null> {
    const rows = await this.prisma.$queryRaw<{ pk: bigint; number: number }[]>`
      SELECT pk, number FROM backups
      WHERE instance_id = ${instanceId} AND status = 'done'
        AND (wal_start_lsn::pg_lsn - '0/0'::pg_lsn)
            - mod(wal_start_lsn::pg_lsn - '0/0'::pg_lsn, ${segmentSize}::int)
            >= ${fromLsn}::pg_lsn - '0/0'::pg_lsn
        AND finished_at <= ${moment}
      ORDER BY finished_at DESC LIMIT 1`;
    return rows[0] ?? null;
  }

  /** What operators see of an instance's archiving: receiver, slot, newest piece, gaps. */
  async archiveState(instanceId: string) {
    const [receiver, last, gaps] = await Promise.all([
      this.prisma.$queryRaw<
        {
          slot_name: string;
          state: string;
          last_error: string | null;
          updated_at: Date;
          slot_wal_status: string | null;
          retained_bytes: bigint | null;
        }[]
      >`
        SELECT slot_name, last_error, updated_at, slot_wal_status, retained_bytes,
               CASE WHEN lease_until IS NULL OR lease_until < now() THEN 'unassigned'
                    ELSE state END AS state
        FROM wal_receivers WHERE instance_id = ${instanceId}`,
      this.prisma.$queryRaw<{ segment: string; end_lsn: string; created_at: Date }[]>`
        SELECT segment, end_lsn, created_at FROM wal_segments WHERE instance_id = ${instanceId}
        ORDER BY end_lsn::pg_lsn DESC LIMIT 1`,
      this.prisma.walGap.findMany({ where: { instanceId }, orderBy: { pk: 'desc' }, take: 100 }),
    ]);
    return { receiver: receiver[0] ?? null, last: last[0] ?? null, gaps };
  }

  /** The newest gap in the instance's WAL archive, if any. */
  newestGap(instanceId: string): Promise<{
    fromLsn: string;
    toLsn: string;
    reason: string;
    lastGoodAt: Date | null;
    detectedAt: Date;
  } | null> {
    return this.prisma.walGap.findFirst({
      where: { instanceId },
      orderBy: { pk: 'desc' },
      select: { fromLsn: true, toLsn: true, reason: true, lastGoodAt: true, detectedAt: true },
    });
  }

  /** The archived pieces from the start of the segment holding `fromLsn` on, oldest first. */
  walFrom(instanceId: string, fromLsn: string): Promise<WalToReplay[]> {
    return this.prisma.$queryRaw<WalToReplay[]>`
      SELECT segment, segment_size AS "segmentSize", storage_key AS "storageKey", size, sha256,
             encryption_key_id::text AS "encryptionKeyId", start_lsn AS "startLsn",
             end_lsn AS "endLsn",
             (extract(epoch FROM newest_commit_at) * 1000000)::bigint AS "newestCommitMicros"
      FROM wal_segments
      WHERE instance_id = ${instanceId}
        AND end_lsn::pg_lsn - '0/0'::pg_lsn > (${fromLsn}::pg_lsn - '0/0'::pg_lsn)
            - mod(${fromLsn}::pg_lsn - '0/0'::pg_lsn, segment_size)
      ORDER BY start_lsn::pg_lsn, timeline`;
  }
}
