import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import { BackupInProgressError, BackupNotFoundError } from '../core/errors/domain-errors';
import type { Page } from '../core/validation/paging';
import type { BackupTrigger } from '../generated/prisma/client';
import type { AccessedInstance } from '../access/access.repository';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { BackupsRepository } from './backups.repository';
import { triggerBackup } from './trigger-backup';
import { BackupQueuedResponse } from './dto/backup-queued.response';
import { BackupsJson } from './backups-json.repository';

@Injectable()
export class BackupsService {
  constructor(
    private readonly backups: BackupsRepository,
    private readonly json: BackupsJson,
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
    instance: AccessedInstance,
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

  /**
   * The JSON array of BackupResponse, newest first: the whole list, or a page when asked, with
   * the id to continue before when older backups exist beyond it.
   */
  async list(instanceId: string, page: Page): Promise<{ json: string; nextBefore?: number }> {
    return this.json.list(instanceId, this.config.downloadsEnabled, page);
  }

  /** One BackupResponse as JSON, or 404. */
  async show(instanceId: string, number: number): Promise<string> {
    const json = await this.json.one(instanceId, this.config.downloadsEnabled, number);
    if (json === null) throw new BackupNotFoundError(instanceId, String(number));
    return json;
  }
}
