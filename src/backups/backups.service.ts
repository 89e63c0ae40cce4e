import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import { BackupInProgressError } from '../core/errors/domain-errors';
import type { BackupTrigger, Instance } from '../generated/prisma/client';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { BackupsRepository } from './backups.repository';
import { triggerBackup } from './trigger-backup';
import { BackupQueuedResponse } from './dto/backup-queued.response';
import { BackupResponse, toBackupResponse } from './dto/backup.response';

@Injectable()
export class BackupsService {
  constructor(
    private readonly backups: BackupsRepository,
    private readonly config: AppConfig,
    private readonly queue: JobEnqueuer,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a queued backup and hands it to the workers. 409 when one is already queued or
   * running (the database decides, so concurrent requests cannot both win). When the queue
   * cannot take the job, the record is taken back and the caller gets 502/504.
   */
  async trigger(
    instance: Instance,
    trigger: BackupTrigger = 'manual',
  ): Promise<BackupQueuedResponse> {
    const backup = await triggerBackup(
      this.backups,
      (b) => this.queue.enqueueBackup(b),
      instance.id,
      trigger,
      this.clock.now(),
    );
    if (!backup) throw new BackupInProgressError(instance.id);
    return { id: backup.number, message: 'job to backup is queued' };
  }

  async list(instanceId: string): Promise<BackupResponse[]> {
    const rows = await this.backups.list(instanceId);
    return rows.map((b) => toBackupResponse(b, this.config.downloadsEnabled));
  }

  async show(instanceId: string, number: number): Promise<BackupResponse> {
    const backup = await this.backups.findOrFail(instanceId, number);
    return toBackupResponse(backup, this.config.downloadsEnabled);
  }
}
