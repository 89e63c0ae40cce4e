import { Module } from '@nestjs/common';
import { RestoresDataModule } from './restores-data.module';
import { InstancesDataModule } from '../instances/instances-data.module';
import { PitrReplayModule } from '../pitr/pitr-replay.module';
import { BackupsDataModule } from '../backups/backups-data.module';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { PrivateDirsJanitor } from '../engines/shared/private-dirs-janitor';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { WorkerPresenceModule } from '../workers/workers.module';
import { StorageModule } from '../storage/storage.module';
import { RestoreRecoveryService } from './restore-recovery.service';
import { RestoreRunner } from './restore-runner.service';
import { RestoreProcessor } from './restore.processor';

/**
 * The worker's side of restores: the processor, the runner, the recovery sweep, and the removal
 * of private servers that a dead worker left behind.
 */
@Module({
  imports: [
    WorkerQueuesModule,
    WorkerPresenceModule,
    WorkerMetricsModule,
    CryptoModule,
    EnginesModule,
    StorageModule,
    BackupsDataModule,
    InstancesDataModule,
    PitrReplayModule,
    RestoresDataModule,
  ],
  providers: [RestoreRunner, RestoreProcessor, RestoreRecoveryService, PrivateDirsJanitor],
})
export class RestoresWorkerModule {}
