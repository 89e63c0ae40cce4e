import { Module } from '@nestjs/common';
import { InstancesDataModule } from '../instances/instances-data.module';
import { BackupsDataModule } from './backups-data.module';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { WorkerPresenceModule } from '../workers/workers.module';
import { RetentionModule } from '../retention/retention.module';
import { StorageModule } from '../storage/storage.module';
import { BackupRunner } from './backup-runner.service';
import { BackupProcessor } from './backup.processor';
import { BackupRecoveryService } from './backup-recovery.service';

/** The worker's side of backups: the processor, the runner and the recovery sweep. */
@Module({
  imports: [
    WorkerQueuesModule,
    WorkerPresenceModule,
    WorkerMetricsModule,
    CryptoModule,
    EnginesModule,
    StorageModule,
    RetentionModule,
    BackupsDataModule,
    InstancesDataModule,
  ],
  providers: [BackupRunner, BackupProcessor, BackupRecoveryService],
  exports: [BackupsDataModule],
})
export class BackupsWorkerModule {}
