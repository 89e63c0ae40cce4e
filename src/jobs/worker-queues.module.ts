import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { logQueueErrors } from './queue-error-log';
import {
  BACKUPS_QUEUE,
  MAINTENANCE_QUEUE,
  RESTORES_QUEUE,
  VERIFICATIONS_QUEUE,
} from './queue.contract';

/**
 * The worker's queues, registered once (one connection each) for every feature that adds jobs
 * or looks them up; their errors are logged as JSON lines.
 */
@Module({
  imports: [
    BullModule.registerQueue(
      { name: BACKUPS_QUEUE },
      { name: RESTORES_QUEUE },
      { name: MAINTENANCE_QUEUE },
      { name: VERIFICATIONS_QUEUE },
    ),
  ],
  exports: [BullModule],
})
export class WorkerQueuesModule implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(
    @InjectQueue(BACKUPS_QUEUE) private readonly backups: Queue,
    @InjectQueue(RESTORES_QUEUE) private readonly restores: Queue,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    @InjectQueue(VERIFICATIONS_QUEUE) private readonly verifications: Queue,
  ) {}

  onModuleInit(): void {
    logQueueErrors(this.backups, this.logger, 'backups queue', 'backup');
    logQueueErrors(this.restores, this.logger, 'restores queue', 'restore');
    logQueueErrors(this.maintenance, this.logger, 'maintenance queue', 'maintenance');
    logQueueErrors(this.verifications, this.logger, 'verifications queue', 'verification');
  }
}
