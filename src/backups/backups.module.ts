import { Module } from '@nestjs/common';
import { InstanceAccessModule } from '../access/instance-access.module';
import { JobsModule } from '../jobs/jobs.module';
import { BackupsController } from './backups.controller';
import { BackupsRepository } from './backups.repository';
import { BackupsService } from './backups.service';

@Module({
  imports: [InstanceAccessModule, JobsModule],
  controllers: [BackupsController],
  providers: [BackupsRepository, BackupsService],
  exports: [BackupsRepository],
})
export class BackupsModule {}
