import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { BackupManagerModule } from './backup-manager/backup-manager.module';
import { BackupsConfigModule } from './backups-config/backups-config.module';
import { BackupsModule } from './backups/backups.module';
import { AppConfig } from './core/config/app-config';
import { CoreModule } from './core/core.module';
import { DownloadsModule } from './downloads/downloads.module';
import { HealthModule } from './health/health.module';
import { InstancesModule } from './instances/instances.module';
import { PitrModule } from './pitr/pitr.module';
import { VerificationModule } from './verification/verification.module';
import { RestoresModule } from './restores/restores.module';
import { TokensModule } from './tokens/tokens.module';
import { MetricsModule } from './metrics/metrics.module';
import { WorkersModule } from './workers/workers.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { FleetModule } from './fleet/fleet.module';
import { ProgressModule } from './progress/progress.module';
import { WalSlotsModule } from './wal/wal-slots.module';

/** The HTTP service: the public API (/v1) and the admin API (/admin/v1). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        AuditModule,
        InstancesModule,
        TokensModule,
        BackupsModule,
        BackupsConfigModule,
        DownloadsModule,
        RestoresModule,
        PitrModule,
        VerificationModule,
        HealthModule,
        WorkersModule,
        MetricsModule,
        BackupManagerModule,
        WebhooksModule,
        FleetModule,
        ProgressModule,
        WalSlotsModule,
      ],
    };
  }
}
