import { Module } from '@nestjs/common';
import { BackupsWorkerModule } from '../backups/backups-worker.module';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleService } from './schedule.service';

/** The daily scheduled backups (worker side). */
@Module({
  imports: [WorkerQueuesModule, BackupsWorkerModule],
  providers: [ScheduleRepository, ScheduleService],
  exports: [ScheduleService],
})
export class ScheduleModule {}
