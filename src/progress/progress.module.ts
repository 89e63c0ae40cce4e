import { Module } from '@nestjs/common';
import { InstanceAccessModule } from '../access/instance-access.module';
import { InstancesDataModule } from '../instances/instances-data.module';
import { AdminProgressController } from './admin-progress.controller';
import { ProgressController } from './progress.controller';
import { ProgressRepository } from './progress.repository';

/**
 * How far the backups and restores under way have come, as their workers report it every
 * second: for the dashboard's progress bars, to access tokens and to the admin.
 */
@Module({
  imports: [InstanceAccessModule, InstancesDataModule],
  controllers: [ProgressController, AdminProgressController],
  providers: [ProgressRepository],
})
export class ProgressModule {}
