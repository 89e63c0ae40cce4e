import { Module } from '@nestjs/common';
import { AuthModule } from '../core/auth/auth.module';
import { JobsModule } from '../jobs/jobs.module';
import { BackupsController } from './backups.controller';
import { BackupsRepository } from './backups.repository';
import { BackupsService } from './backups.service';

@Module({
  imports: [AuthModule, JobsModule],
  controllers: [BackupsController],
  providers: [BackupsRepository, BackupsService],
  exports: [BackupsRepository],
})
export class BackupsModule {}
