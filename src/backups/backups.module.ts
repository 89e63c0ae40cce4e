import { Module } from '@nestjs/common';
import { BackupsDataModule } from './backups-data.module';
import { InstanceAccessModule } from '../access/instance-access.module';
import { AdminInstanceBackupsController } from './admin-instance-backups.controller';
import { JobsModule } from '../jobs/jobs.module';
import { AdminBackupsController } from './admin-backups.controller';
import { BackupsController } from './backups.controller';
import { BackupsService } from './backups.service';

@Module({
  imports: [InstanceAccessModule, JobsModule, BackupsDataModule],
  controllers: [BackupsController, AdminBackupsController, AdminInstanceBackupsController],
  providers: [BackupsService],
  exports: [BackupsService, BackupsDataModule],
})
export class BackupsModule {}
