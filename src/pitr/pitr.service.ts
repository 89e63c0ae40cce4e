import { Injectable } from '@nestjs/common';
import type { AccessedInstance } from '../access/access.repository';
import {
  InstanceNotFoundError,
  PointInTimeOutsideWindowError,
  PointInTimeUnavailableError,
} from '../core/errors/domain-errors';
import { InstancesRepository } from '../instances/instances.repository';
import { slotNames } from '../wal/wal-names';
import { PitrWindowResponse } from './dto/pitr-window.response';
import { WalArchiveResponse } from './dto/wal-archive.response';
import { PitrRepository } from './pitr.repository';

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
    const { start, end } = await this.openWindow(instance);
    return { start_time: start.toISOString(), end_time: end.toISOString() };
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

  /** The base backup a restore to `moment` starts from; 422 when the window does not cover it. */
  async baseBackupFor(
    instance: AccessedInstance,
    moment: Date,
  ): Promise<{ pk: bigint; number: number }> {
    const { start, end, fromLsn, segmentSize } = await this.openWindow(instance);
    const backup =
      moment >= start && moment <= end
        ? await this.pitr.baseBackupFor(instance.id, { fromLsn, segmentSize }, moment)
        : null;
    if (!backup && moment < start) {
      const gap = await this.pitr.newestGap(instance.id);
      if (gap && (gap.lastGoodAt === null || moment > gap.lastGoodAt)) {
        throw new PointInTimeOutsideWindowError(
          `${moment.toISOString()} falls in a gap of the write-ahead log archive of instance "${instance.id}": ${gap.reason} (the WAL from ${gap.fromLsn} to ${gap.toLsn} is missing, noticed at ${gap.detectedAt.toISOString()}${gap.lastGoodAt ? `; storage covers moments up to ${gap.lastGoodAt.toISOString()} before it` : ''}). The window restarted after the next base backup: from ${start.toISOString()} to ${end.toISOString()}.`,
        );
      }
    }
    if (!backup) {
      throw new PointInTimeOutsideWindowError(
        `${moment.toISOString()} is outside the point-in-time window of instance "${instance.id}": it can be restored to any moment from ${start.toISOString()} to ${end.toISOString()}.`,
      );
    }
    return backup;
  }

  private async openWindow(
    instance: AccessedInstance,
  ): Promise<{ start: Date; end: Date; fromLsn: string; segmentSize: number }> {
    if (instance.backupType !== 'continuous_archiving') {
      throw new PointInTimeUnavailableError(
        `Instance "${instance.id}" has backup_type ${instance.backupType}: only an instance registered with backup_type continuous_archiving (PostgreSQL) can be restored to a point in time.`,
      );
    }
    const { start, end, fromLsn, segmentSize } = await this.pitr.window(instance.id);
    if (!fromLsn || !start || !end || end < start) {
      throw new PointInTimeUnavailableError(
        `Instance "${instance.id}" has no point-in-time window yet: it opens once a base backup has finished and the write-ahead log of a commit after it is in storage.`,
      );
    }
    return { start, end, fromLsn, segmentSize };
  }
}
