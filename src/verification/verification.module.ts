import { Module } from '@nestjs/common';
import { InstancesDataModule } from '../instances/instances-data.module';
import { VerificationsDataModule } from './verification-data.module';
import { BackupsDataModule } from '../backups/backups-data.module';
import { JobsModule } from '../jobs/jobs.module';
import { AdminVerificationController } from './admin-verification.controller';
import { VerificationService } from './verification.service';

/** Verifications, the API's side: a backup with its newest verification, and asking for one. */
@Module({
  imports: [JobsModule, BackupsDataModule, InstancesDataModule, VerificationsDataModule],
  controllers: [AdminVerificationController],
  providers: [VerificationService],
})
export class VerificationModule {}
