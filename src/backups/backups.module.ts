import { Module } from '@nestjs/common';
import { AuthModule } from '../core/auth/auth.module';
import { BackupsController } from './backups.controller';
import { BackupsRepository } from './backups.repository';
import { BackupsService } from './backups.service';

@Module({
  imports: [AuthModule],
  controllers: [BackupsController],
  providers: [BackupsRepository, BackupsService],
  exports: [BackupsRepository],
})
export class BackupsModule {}
