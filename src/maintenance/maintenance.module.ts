import { Module } from '@nestjs/common';
import { AuditDataModule } from '../audit/audit-data.module';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { RetentionModule } from '../retention/retention.module';
import { ScheduleModule } from '../schedule/schedule.module';
import { VerificationWorkerModule } from '../verification/verification-worker.module';
import { MaintenanceProcessor } from './maintenance.processor';

/**
 * The platform-wide duties: the hourly retention pass (the audit log's old records with it), and
 * the planning of the scheduled backups and verifications.
 */
@Module({
  imports: [
    WorkerQueuesModule,
    RetentionModule,
    ScheduleModule,
    VerificationWorkerModule,
    AuditDataModule,
  ],
  providers: [MaintenanceProcessor],
})
export class MaintenanceModule {}
