import { Module } from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { InstancesRepository } from '../instances/instances.repository';
import { JobsModule } from '../jobs/jobs.module';
import { AdminVerificationController } from './admin-verification.controller';
import { VerificationService } from './verification.service';
import { VerificationsRepository } from './verifications.repository';

/** Verifications, the API's side: a backup with its newest verification, and asking for one. */
@Module({
  imports: [JobsModule],
  controllers: [AdminVerificationController],
  providers: [VerificationService, VerificationsRepository, BackupsRepository, InstancesRepository],
})
export class VerificationModule {}
