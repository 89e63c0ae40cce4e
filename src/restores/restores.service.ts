import { Injectable } from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { Clock } from '../core/clock/clock';
import {
  BackupInProgressError,
  BackupNotFoundError,
  BackupNotRestorableError,
  ForbiddenError,
  InstanceNotFoundError,
  InvalidParametersError,
  RestoreNotFoundError,
} from '../core/errors/domain-errors';
import { isBackupNotRestorable, isInstanceBusy } from '../core/prisma/prisma-errors';
import { parseMoment, parseMomentMicros } from '../core/validation/moment';
import type { AccessedInstance } from '../access/access.repository';
import { InstancesRepository } from '../instances/instances.repository';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { PitrService } from '../pitr/pitr.service';
import { grants } from '../tokens/tokens.service';
import { CreateRestoreDto } from './dto/create-restore.dto';
import { RestoreQueuedResponse, RestoreResponse, toRestoreResponse } from './dto/restore.response';
import { RestoresRepository } from './restores.repository';

@Injectable()
export class RestoresService {
  constructor(
    private readonly restores: RestoresRepository,
    private readonly backups: BackupsRepository,
    private readonly instances: InstancesRepository,
    private readonly queue: JobEnqueuer,
    private readonly clock: Clock,
    private readonly pitr: PitrService,
  ) {}

  /**
   * Queues a restore of one of the instance's backups, or (`point_in_time`, continuous
   * archiving) of the newest base backup that ended by that moment, rolled forward to it: 422
   * when the moment is outside the instance's window. 404 for an unknown backup, 422 when it is
   * not restorable, 409 while a backup or restore of the instance is queued or running (the
   * database decides). When the queue cannot take the job, the record is taken back (502/504).
   * A fork (`target_instance_id`) writes into that instance instead, which the token must be
   * granted (403) and which must be of the same type (422); "busy" is then about the target.
   */
  async trigger(
    instance: AccessedInstance,
    body: CreateRestoreDto,
    granted: string[] = [],
  ): Promise<RestoreQueuedResponse> {
    const target =
      body.target_instance_id === undefined || body.target_instance_id === instance.id
        ? null
        : await this.forkTarget(instance, body.target_instance_id, granted);
    if (body.backup_id !== undefined && body.point_in_time !== undefined) {
      throw new InvalidParametersError(
        'Give either backup_id (restore that backup) or point_in_time (restore to that moment), not both.',
      );
    }
    const moment = body.point_in_time === undefined ? null : parseMoment(body.point_in_time)!;
    const backup =
      moment === null
        ? await this.backups.find(instance.id, body.backup_id!)
        : await this.pitr.baseBackupFor(instance, moment).then((b) => ({ ...b, status: 'done' }));
    if (!backup) throw new BackupNotFoundError(instance.id, String(body.backup_id));
    if (backup.status !== 'done') throw notRestorable(backup);
    let restore;
    try {
      // the database accepts it only while the backup is done, and from then on keeps the
      // backup from retention and deletion until the restore ended
      restore = await this.restores.insertQueued(instance.id, backup.pk, this.clock.now(), {
        targetInstanceId: target,
        pointInTimeMicros: moment === null ? null : parseMomentMicros(body.point_in_time),
      });
    } catch (err) {
      if (isInstanceBusy(err)) throw new BackupInProgressError(target ?? instance.id);
      if (isBackupNotRestorable(err)) {
        // deleted since it was read above
        const now = await this.backups.find(instance.id, backup.number);
        throw notRestorable(now ?? { ...backup, status: 'deleted' });
      }
      throw err;
    }
    try {
      await this.queue.enqueueRestore(restore);
    } catch (err) {
      await this.restores.deleteQueued(restore.pk);
      throw err;
    }
    return { id: restore.number, message: 'job to restore is queued' };
  }

  private async forkTarget(
    source: AccessedInstance,
    targetId: string,
    granted: string[],
  ): Promise<string> {
    if (!grants({ instances: granted }, targetId)) {
      throw new ForbiddenError(
        `This access token is not granted access to instance "${targetId}", the target of the restore.`,
      );
    }
    const target = await this.instances.findRegistered(targetId);
    if (!target) throw new InstanceNotFoundError(targetId);
    if (target.type !== source.type) {
      throw new InvalidParametersError(
        `Instance "${targetId}" is a ${target.type} instance: a backup of ${source.type} instance "${source.id}" can only be restored into a ${source.type} instance.`,
      );
    }
    return targetId;
  }

  async list(instanceId: string): Promise<RestoreResponse[]> {
    return (await this.restores.list(instanceId)).map((r) => toRestoreResponse(r, instanceId));
  }

  async show(instanceId: string, number: number): Promise<RestoreResponse> {
    const restore = await this.restores.find(instanceId, number);
    if (!restore) throw new RestoreNotFoundError(instanceId, String(number));
    return toRestoreResponse(restore);
  }
}

function notRestorable(backup: { number: number; status: string }): BackupNotRestorableError {
  return new BackupNotRestorableError(
    backup.status === 'deleted'
      ? `Backup ${backup.number} was deleted (pruned by retention or on request); its archive is gone.`
      : `Backup ${backup.number} is ${backup.status}; only a done backup can be restored.`,
  );
}
