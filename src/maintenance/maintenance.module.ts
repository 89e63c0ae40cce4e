import { Module } from '@nestjs/common';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { RetentionModule } from '../retention/retention.module';
import { ScheduleModule } from '../schedule/schedule.module';
import { MaintenanceProcessor } from './maintenance.processor';

/** The platform-wide duties: the hourly retention pass and the scheduled backups' planning. */
@Module({
  imports: [WorkerQueuesModule, RetentionModule, ScheduleModule],
  providers: [MaintenanceProcessor],
})
export class MaintenanceModule {}
