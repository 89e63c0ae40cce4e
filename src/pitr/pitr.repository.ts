import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

/**
 * One unbroken stretch of an instance's archived WAL (each piece starting at or before the end of
 * those before it), and the moments it can restore to: from the end of its oldest kept base
 * backup (one whose WAL, from the start of the segment it starts in, lies in the stretch) to the
 * newest moment the stretch shows.
 */
export interface PitrRange {
  /** the stretch's first and last LSN */
  fromLsn: string;
  toLsn: string;
  /** the end of the oldest base backup in the stretch; null: none, nothing to restore from */
  start: Date | null;
  /**
   * the newest moment the stretch shows: its newest commit, or later, when the receiver saw that
   * storage held everything the server had written by then; rounded up to the millisecond (a
   * commit time has microseconds), so that a restore to it holds everything stored
   */
  end: Date | null;
  /** the oldest commit time the stretch is known to hold (its first piece's newest commit) */
  firstCommit: Date | null;
  /** the instance's WAL segment size in bytes */
  segmentSize: number;
}

/** The stretch of time an instance can be restored to, and where its WAL starts. */
export interface PitrWindow {
  /** the end of the oldest kept base backup whose WAL (from the start of its first segment) follows without a break */
  start: Date | null;
  /** as PitrRange.end */
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

  /**
   * Every unbroken stretch of the instance's archived WAL, oldest first, with the moments it
   * can restore to (PitrRange). A break is wherever a piece starts after the end of every piece
   * before it (pieces of a newer timeline may overlap older ones).
   */
  async ranges(instanceId: string): Promise<PitrRange[]> {
    const rows = await this.prisma.$queryRaw<
      {
        from_lsn: string;
        to_lsn: string;
        segment_size: number;
        start_time: Date | null;
        end_time: Date | null;
        first_commit: Date | null;
      }[]
    >`
      WITH segs AS (
        SELECT start_lsn::pg_lsn AS s, end_lsn::pg_lsn AS e, newest_commit_at, segment_size,
               timeline,
               max(end_lsn::pg_lsn) OVER (ORDER BY start_lsn::pg_lsn, timeline
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
        FROM wal_segments WHERE instance_id = ${instanceId}
      ), numbered AS (
        SELECT *, count(*) FILTER (WHERE prev_end IS NULL OR s > prev_end)
                    OVER (ORDER BY s, timeline) AS run
        FROM segs
      ), runs AS (
        SELECT run, min(s) AS from_lsn, max(e) AS to_lsn, max(segment_size) AS segment_size,
               max(newest_commit_at) AS newest,
               (array_agg(newest_commit_at ORDER BY s, timeline)
                  FILTER (WHERE newest_commit_at IS NOT NULL))[1] AS first_commit
        FROM numbered GROUP BY run
      ), ranges AS (
        SELECT runs.*,
          (SELECT min(b.finished_at) FROM backups b
           WHERE b.instance_id = ${instanceId} AND b.status = 'done'
             AND b.wal_start_lsn::pg_lsn <= runs.to_lsn
             AND (b.wal_start_lsn::pg_lsn - '0/0'::pg_lsn)
                 - mod(b.wal_start_lsn::pg_lsn - '0/0'::pg_lsn, runs.segment_size)
                 >= runs.from_lsn - '0/0'::pg_lsn) AS start_time,
          greatest(newest,
            (SELECT r.caught_up_at FROM wal_receivers r
             WHERE r.instance_id = ${instanceId}
               AND r.caught_up_lsn::pg_lsn BETWEEN runs.from_lsn AND runs.to_lsn),
            -- what the receiver had seen covered when a gap after this stretch was recorded
            (SELECT max(g.last_good_at) FROM wal_gaps g
             WHERE g.instance_id = ${instanceId}
               AND g.from_lsn::pg_lsn BETWEEN runs.from_lsn AND runs.to_lsn)) AS newest_moment
        FROM runs
      )
      SELECT from_lsn::text AS from_lsn, to_lsn::text AS to_lsn, segment_size::float8 AS segment_size,
        start_time,
        first_commit,
        -- up to the next millisecond: a commit at 10:00:00.000400 ends the range at .001
        date_trunc('milliseconds', newest_moment)
          + CASE WHEN newest_moment > date_trunc('milliseconds', newest_moment)
                 THEN interval '1 millisecond' ELSE interval '0' END AS end_time
      FROM ranges ORDER BY run`;
    return rows.map((r) => ({
      fromLsn: r.from_lsn,
      toLsn: r.to_lsn,
      start: r.start_time,
      end: r.end_time,
      firstCommit: r.first_commit,
      segmentSize: r.segment_size,
    }));
  }

  /** The newest stretch's window (what `start_time`/`end_time` of GET …/pitr show). */
  async window(instanceId: string): Promise<PitrWindow> {
    const newest = (await this.ranges(instanceId)).at(-1);
    return {
      start: newest?.start ?? null,
      end: newest?.end ?? null,
      fromLsn: newest?.fromLsn ?? null,
      segmentSize: newest?.segmentSize ?? 16 * 1024 * 1024,
    };
  }

  /**
   * The newest done base backup that ended by `moment` and whose WAL, from the start of the
   * segment it starts in, is inside the stretch from `fromLsn` to `toLsn`.
   */
  async baseBackupFor(
    instanceId: string,
    { fromLsn, toLsn, segmentSize }: { fromLsn: string; toLsn: string; segmentSize: number },
    moment: Date,
  ): Promise<{ pk: bigint; number: number } | null> {
    const rows = await this.prisma.$queryRaw<{ pk: bigint; number: number }[]>`
      SELECT pk, number FROM backups
      WHERE instance_id = ${instanceId} AND status = 'done'
        AND wal_start_lsn::pg_lsn <= ${toLsn}::pg_lsn
        AND (wal_start_lsn::pg_lsn - '0/0'::pg_lsn)
            - mod(wal_start_lsn::pg_lsn - '0/0'::pg_lsn, ${segmentSize}::bigint)
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

  /** The newest recorded gap between two LSNs of the instance's WAL archive, if any. */
  async gapBetween(
    instanceId: string,
    fromLsn: string,
    toLsn: string,
  ): Promise<{
    fromLsn: string;
    toLsn: string;
    reason: string;
    lastGoodAt: Date | null;
    detectedAt: Date;
  } | null> {
    const rows = await this.prisma.$queryRaw<
      {
        from_lsn: string;
        to_lsn: string;
        reason: string;
        last_good_at: Date | null;
        detected_at: Date;
      }[]
    >`
      SELECT from_lsn, to_lsn, reason, last_good_at, detected_at FROM wal_gaps
      WHERE instance_id = ${instanceId}
        AND from_lsn::pg_lsn >= ${fromLsn}::pg_lsn AND to_lsn::pg_lsn <= ${toLsn}::pg_lsn
      ORDER BY pk DESC LIMIT 1`;
    const g = rows[0];
    return g
      ? {
          fromLsn: g.from_lsn,
          toLsn: g.to_lsn,
          reason: g.reason,
          lastGoodAt: g.last_good_at,
          detectedAt: g.detected_at,
        }
      : null;
  }

  /** The archived pieces from the start of the segment holding `fromLsn` on, oldest first. */
  walFrom(instanceId: string, fromLsn: string): Promise<WalToReplay[]> {
    return this.prisma.$queryRaw<WalToReplay[]>`
      SELECT segment, segment_size::float8 AS "segmentSize", storage_key AS "storageKey", size, sha256,
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
