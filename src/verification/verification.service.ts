import { Injectable } from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { AdminBackupResponse, toAdminBackupResponse } from '../backups/dto/admin-backup.response';
import { VerificationResponse, toVerificationResponse } from '../backups/dto/verification.response';
import {
  BackupNotFoundError,
  DomainError,
  InstanceNotFoundError,
  UpstreamError,
} from '../core/errors/domain-errors';
import { parseRouteNumber } from '../core/validation/route-number';
import { InstancesRepository } from '../instances/instances.repository';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { VerificationsRepository } from './verifications.repository';

/** 409: the backup cannot be verified now (not done, or being verified). */
export class NotVerifiableError extends DomainError {
  readonly status = 409;
  readonly code = 'NotVerifiable';
}

/** The admin API's side of verifications: show a backup with its newest one, ask for one. */
@Injectable()
export class VerificationService {
  constructor(
    private readonly instances: InstancesRepository,
    private readonly backups: BackupsRepository,
    private readonly verifications: VerificationsRepository,
    private readonly jobs: JobEnqueuer,
  ) {}

  async show(instanceId: string, rawNumber: string): Promise<AdminBackupResponse> {
    const backup = await this.backupOf(instanceId, rawNumber);
    const verification = await this.verifications.find(backup.pk);
    return toAdminBackupResponse({ ...backup, verification });
  }

  /** Claims the backup and queues its verification; 409 while it is not done or being verified. */
  async verify(instanceId: string, rawNumber: string): Promise<VerificationResponse> {
    const backup = await this.backupOf(instanceId, rawNumber);
    if (backup.status !== 'done') {
      throw new NotVerifiableError(
        `Backup ${backup.number} of instance "${instanceId}" is ${backup.status}: only a done backup can be verified.`,
      );
    }
    const claimed = await this.verifications.claim(backup.pk);
    if (!claimed) {
      throw new NotVerifiableError(
        `Backup ${backup.number} of instance "${instanceId}" is being verified already.`,
      );
    }
    try {
      await this.jobs.enqueueVerification(claimed);
    } catch (err) {
      // nothing will run it: it must not look running
      const reason = 'the verification could not be queued (the job queue was unreachable)';
      await this.verifications.finish(backup.pk, { status: 'failed', reason });
      throw err instanceof DomainError ? err : new UpstreamError(reason);
    }
    return toVerificationResponse(claimed);
  }

  private async backupOf(instanceId: string, rawNumber: string) {
    const instance = await this.instances.find(instanceId);
    if (!instance || instance.deletedAt) throw new InstanceNotFoundError(instanceId);
    const number = parseRouteNumber(rawNumber);
    const backup = number === null ? null : await this.backups.find(instanceId, number);
    if (!backup) throw new BackupNotFoundError(instanceId, rawNumber);
    return backup;
  }
}
