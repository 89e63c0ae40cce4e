import { Module } from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { PrivateDirsJanitor } from '../engines/private-dirs-janitor';
import { InstancesRepository } from '../instances/instances.repository';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { PitrRepository } from '../pitr/pitr.repository';
import { WorkerPresenceModule } from '../workers/workers.module';
import { StorageModule } from '../storage/storage.module';
import { RestoreRecoveryService } from './restore-recovery.service';
import { RestoreRunner } from './restore-runner.service';
import { RestoreProcessor } from './restore.processor';
import { RestoresRepository } from './restores.repository';

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
  ],
  providers: [
    RestoresRepository,
    BackupsRepository,
    PitrRepository,
    InstancesRepository,
    RestoreRunner,
    RestoreProcessor,
    RestoreRecoveryService,
    PrivateDirsJanitor,
  ],
})
export class RestoresWorkerModule {}
