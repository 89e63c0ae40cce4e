import { Injectable } from '@nestjs/common';
import type { AccessedInstance } from '../access/access.repository';
import {
  InstanceNotFoundError,
  PointInTimeOutsideWindowError,
  PointInTimeUnavailableError,
} from '../core/errors/domain-errors';
import { slotNames } from '../engines/postgresql/replication-slots';
import { InstancesRepository } from '../instances/instances.repository';
import { PitrWindowResponse } from './dto/pitr-window.response';
import { WalArchiveResponse } from './dto/wal-archive.response';
import { PitrRange, PitrRepository } from './pitr.repository';

/**
 * The point-in-time window of an instance, which base backup a restore to a moment starts from,
 * and the state of its WAL archive for operators.
 */
@Injectable()
export class PitrService {
  constructor(
    private readonly pitr: PitrRepository,
    private readonly instances: InstancesRepository,
  ) {}

  async window(instance: AccessedInstance): Promise<PitrWindowResponse> {
    const { ranges } = await this.openRanges(instance);
    const newest = ranges.at(-1)!;
    return {
      start_time: newest.start.toISOString(),
      end_time: newest.end.toISOString(),
      ranges: ranges.map((r) => ({
        start_time: r.start.toISOString(),
        end_time: r.end.toISOString(),
      })),
    };
  }

  /** An instance's continuous archiving as operators watch it (admin API). */
  async archive(instanceId: string): Promise<WalArchiveResponse> {
    const instance = await this.instances.findRegistered(instanceId);
    if (!instance) throw new InstanceNotFoundError(instanceId);
    if (instance.backupType !== 'continuous_archiving') {
      throw new PointInTimeUnavailableError(
        `Instance "${instanceId}" has backup_type ${instance.backupType}: it has no WAL archive.`,
      );
    }
    const { receiver, last, gaps } = await this.pitr.archiveState(instanceId);
    return {
      receiver: {
        state: receiver?.state ?? 'unassigned',
        last_error: receiver?.last_error ?? null,
        updated_at: (receiver?.updated_at ?? instance.createdAt).toISOString(),
      },
      slot: {
        name: receiver?.slot_name ?? slotNames(instanceId).shipped,
        wal_status: receiver?.slot_wal_status ?? null,
        retained_bytes: receiver?.retained_bytes == null ? null : Number(receiver.retained_bytes),
      },
      last_shipped: {
        segment: last?.segment ?? null,
        end_lsn: last?.end_lsn ?? null,
        shipped_at: last?.created_at.toISOString() ?? null,
      },
      gaps: gaps.map((g) => ({
        from_lsn: g.fromLsn,
        to_lsn: g.toLsn,
        reason: g.reason,
        last_good_at: g.lastGoodAt?.toISOString() ?? null,
        detected_at: g.detectedAt.toISOString(),
        backup_requested_at: g.backupRequestedAt?.toISOString() ?? null,
      })),
    };
  }

  /**
   * The base backup a restore to `moment` starts from: the newest that ended by then in the
   * range that holds the moment. 422 when no range holds it, naming the recorded gap it falls
   * in, or why the stored WAL around it cannot be restored, and the nearest ranges.
   */
  async baseBackupFor(
    instance: AccessedInstance,
    moment: Date,
  ): Promise<{ pk: bigint; number: number }> {
    const { all, ranges } = await this.openRanges(instance);
    const holding = ranges.find((r) => moment >= r.start && moment <= r.end);
    const backup = holding && (await this.pitr.baseBackupFor(instance.id, holding, moment));
    if (backup) return backup;
    const at = moment.toISOString();
    const listed = ranges.map((r) => `${r.start.toISOString()} to ${r.end.toISOString()}`);
    const before = ranges.filter((r) => r.end < moment).at(-1);
    const after = ranges.find((r) => r.start > moment);
    if (before && after) {
      const near = `The nearest moments that can be restored are up to ${before.end.toISOString()} and from ${after.start.toISOString()}.`;
      const gap = await this.pitr.gapBetween(instance.id, before.toLsn, after.fromLsn);
      // stored from a stretch's first known commit on
      const stored = all.some(
        (r) => r.firstCommit && r.end && moment >= r.firstCommit && moment <= r.end,
      );
      if (gap && !stored) {
        throw new PointInTimeOutsideWindowError(
          `${at} falls in a gap of the write-ahead log archive of instance "${instance.id}": ${gap.reason} (the WAL from ${gap.fromLsn} to ${gap.toLsn} is missing, noticed at ${gap.detectedAt.toISOString()}). ${near}`,
        );
      }
      throw new PointInTimeOutsideWindowError(
        `${at} cannot be restored on instance "${instance.id}": its write-ahead log is stored, but no base backup precedes it in that stretch of the archive (a new stretch becomes restorable from the end of the first base backup taken in it). ${near}`,
      );
    }
    throw new PointInTimeOutsideWindowError(
      `${at} is outside the point-in-time window of instance "${instance.id}": it can be restored to any moment from ${listed.join(', or from ')}.`,
    );
  }

  /**
   * Every stretch of the instance's archive (`all`), and those that can be restored to
   * (`ranges`), oldest first; 422 when there is none yet.
   */
  private async openRanges(
    instance: AccessedInstance,
  ): Promise<{ all: PitrRange[]; ranges: Array<PitrRange & { start: Date; end: Date }> }> {
    if (instance.backupType !== 'continuous_archiving') {
      throw new PointInTimeUnavailableError(
        `Instance "${instance.id}" has backup_type ${instance.backupType}: only an instance registered with backup_type continuous_archiving (PostgreSQL or MariaDB) can be restored to a point in time.`,
      );
    }
    const all = await this.pitr.ranges(instance.id);
    const ranges = all.filter(
      (r): r is PitrRange & { start: Date; end: Date } =>
        r.start !== null && r.end !== null && r.end >= r.start,
    );
    if (ranges.length === 0) {
      throw new PointInTimeUnavailableError(
        `Instance "${instance.id}" has no point-in-time window yet: it opens once a base backup has finished and the write-ahead log of a commit after it is in storage.`,
      );
    }
    return { all, ranges };
  }
}
