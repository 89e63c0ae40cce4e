import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { BackupsWorkerModule } from './backups/backups-worker.module';
import { AppConfig } from './core/config/app-config';
import { Clock } from './core/clock/clock';
import { redisConnection } from './core/connections/redis-connection';
import { CoreModule } from './core/core.module';
import { redisOptions } from './jobs/redis-options';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { RestoresWorkerModule } from './restores/restores-worker.module';
import { VerificationWorkerModule } from './verification/verification-worker.module';
import { WalModule } from './wal/wal.module';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';

/** The worker process: BullMQ processors and the recovery sweeps, no HTTP server. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(config, clock),
        BullModule.forRoot({
          connection: {
            ...redisConnection(config.redisUrl),
            ...redisOptions(config.upstreamTimeoutMs),
            maxRetriesPerRequest: null,
          },
          prefix: config.queuePrefix,
        }),
        BackupsWorkerModule,
        RestoresWorkerModule,
        MaintenanceModule,
        WebhooksWorkerModule,
        WalModule,
        VerificationWorkerModule,
      ],
    };
  }
}
