import { Module } from '@nestjs/common';
import { InstanceAccessModule } from '../access/instance-access.module';
import { JobsModule } from '../jobs/jobs.module';
import { AdminBackupsController } from './admin-backups.controller';
import { BackupsController } from './backups.controller';
import { BackupsJson } from './backups-json.repository';
import { BackupsRepository } from './backups.repository';
import { BackupsService } from './backups.service';

@Module({
  imports: [InstanceAccessModule, JobsModule],
  controllers: [BackupsController, AdminBackupsController],
  providers: [BackupsRepository, BackupsJson, BackupsService],
  exports: [BackupsRepository, BackupsService],
})
export class BackupsModule {}
