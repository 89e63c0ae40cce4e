import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

/** The stretch of time an instance can be restored to, and where its WAL starts. */
export interface PitrWindow {
  /** the end of the oldest kept base backup whose WAL follows without a break */
  start: Date | null;
  /** the newest commit in that unbroken WAL */
  end: Date | null;
  /** the first LSN of the unbroken stretch of archived WAL that reaches the newest segment */
  fromLsn: string | null;
}

/** One archived segment a recovery replays. */
export interface WalToReplay {
  segment: string;
  storageKey: string;
  size: bigint;
  sha256: string;
  encryptionKeyId: string;
  startLsn: string;
  endLsn: string;
  newestCommitAt: Date | null;
}

/**
 * Reads what point-in-time recovery is made of: an instance's base backups (backups with a
 * `wal_start_lsn`) and its archived WAL segments. The WAL a restore can use is the newest
 * unbroken stretch (each segment starting where the one before ended); a base backup counts
 * when its WAL starts inside that stretch.
 */
@Injectable()
export class PitrRepository {
  constructor(private readonly prisma: PrismaService) {}

  async window(instanceId: string): Promise<PitrWindow> {
    const rows = await this.prisma.$queryRaw<
      { from_lsn: string | null; start_time: Date | null; end_time: Date | null }[]
    >`
      WITH segs AS (
        SELECT start_lsn::pg_lsn AS s, newest_commit_at,
               lag(end_lsn::pg_lsn) OVER (ORDER BY start_lsn::pg_lsn, timeline) AS prev_end
        FROM wal_segments WHERE instance_id = ${instanceId}
      ), run AS (
        SELECT max(s) FILTER (WHERE prev_end IS DISTINCT FROM s) AS from_lsn FROM segs
      )
      SELECT run.from_lsn::text AS from_lsn,
        (SELECT min(b.finished_at) FROM backups b
         WHERE b.instance_id = ${instanceId} AND b.status = 'done'
           AND b.wal_start_lsn::pg_lsn >= run.from_lsn) AS start_time,
        (SELECT max(newest_commit_at) FROM segs WHERE s >= run.from_lsn) AS end_time
      FROM run`;
    const row = rows[0];
    return {
      start: row?.start_time ?? null,
      end: row?.end_time ?? null,
      fromLsn: row?.from_lsn ?? null,
    };
  }

  /** The newest done base backup inside the stretch from `fromLsn` that ended by `moment`. */
  async baseBackupFor(
    instanceId: string,
    fromLsn: string,
    moment: Date,
  ): Promise<{ pk: bigint; number: number } | null> {
    const rows = await this.prisma.$queryRaw<{ pk: bigint; number: number }[]>`
      SELECT pk, number FROM backups
      WHERE instance_id = ${instanceId} AND status = 'done'
        AND wal_start_lsn::pg_lsn >= ${fromLsn}::pg_lsn AND finished_at <= ${moment}
      ORDER BY finished_at DESC LIMIT 1`;
    return rows[0] ?? null;
  }

  /** The archived segments from the one holding `fromLsn` on, oldest first. */
  walFrom(instanceId: string, fromLsn: string): Promise<WalToReplay[]> {
    return this.prisma.$queryRaw<WalToReplay[]>`
      SELECT segment, storage_key AS "storageKey", size, sha256,
             encryption_key_id::text AS "encryptionKeyId", start_lsn AS "startLsn",
             end_lsn AS "endLsn", newest_commit_at AS "newestCommitAt"
      FROM wal_segments
      WHERE instance_id = ${instanceId} AND end_lsn::pg_lsn > ${fromLsn}::pg_lsn
      ORDER BY start_lsn::pg_lsn, timeline`;
  }
}
