import { Injectable } from '@nestjs/common';
import type { AccessedInstance } from '../access/access.repository';
import {
  PointInTimeOutsideWindowError,
  PointInTimeUnavailableError,
} from '../core/errors/domain-errors';
import { PitrWindowResponse } from './dto/pitr-window.response';
import { PitrRepository } from './pitr.repository';

/** The point-in-time window of an instance, and which base backup a restore to a moment starts from. */
@Injectable()
export class PitrService {
  constructor(private readonly pitr: PitrRepository) {}

  async window(instance: AccessedInstance): Promise<PitrWindowResponse> {
    const { start, end } = await this.openWindow(instance);
    return { start_time: start.toISOString(), end_time: end.toISOString() };
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
