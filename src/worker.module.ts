import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { BackupRunner } from './backups/backup-runner.service';
import { BackupsRepository } from './backups/backups.repository';
import { AppConfig } from './core/config/app-config';
import { Clock } from './core/clock/clock';
import { CoreModule } from './core/core.module';
import { CryptoModule } from './crypto/crypto.module';
import { EnginesModule } from './engines/engines.module';
import { InstancesRepository } from './instances/instances.repository';
import { BackupProcessor } from './backups/backup.processor';
import { BACKUPS_QUEUE, MAINTENANCE_QUEUE } from './jobs/queue.contract';
import { MaintenanceProcessor } from './maintenance/maintenance.processor';
import { RetentionRepository } from './retention/retention.repository';
import { RetentionService } from './retention/retention.service';
import { ScheduleRepository } from './schedule/schedule.repository';
import { ScheduleService } from './schedule/schedule.service';
import { RecoveryService } from './backups/recovery.service';
import { redisOptions } from './jobs/redis-options';
import { RestoresWorkerModule } from './restores/restores-worker.module';
import { StorageModule } from './storage/storage.module';

/** The worker process: BullMQ processors and the recovery sweep, no HTTP server. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(config, clock),
        BullModule.forRoot({
          connection: {
            url: config.redisUrl,
            ...redisOptions(config.upstreamTimeoutMs),
            maxRetriesPerRequest: null,
          },
          prefix: config.queuePrefix,
        }),
        BullModule.registerQueue({ name: BACKUPS_QUEUE }, { name: MAINTENANCE_QUEUE }),
        CryptoModule,
        EnginesModule,
        StorageModule,
        RestoresWorkerModule,
      ],
      providers: [
        BackupsRepository,
        InstancesRepository,
        BackupRunner,
        BackupProcessor,
        RecoveryService,
        RetentionRepository,
        RetentionService,
        MaintenanceProcessor,
        ScheduleRepository,
        ScheduleService,
      ],
    };
  }
}
