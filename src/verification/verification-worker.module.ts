import { Module } from '@nestjs/common';
import { InstancesDataModule } from '../instances/instances-data.module';
import { PitrReplayModule } from '../pitr/pitr-replay.module';
import { VerificationsDataModule } from './verification-data.module';
import { BackupsDataModule } from '../backups/backups-data.module';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { StorageModule } from '../storage/storage.module';
import { WorkerPresenceModule } from '../workers/workers.module';
import { VerificationRecoveryService } from './verification-recovery.service';
import { VerificationRunner } from './verification-runner.service';
import { VerificationScheduleService } from './verification-schedule.service';
import { VerificationProcessor } from './verification.processor';

/**
 * The worker's side of verifications: the processor, the runner, the recovery sweep and the
 * daily planning (exported for the maintenance job that runs it).
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
    VerificationsDataModule,
  ],
  providers: [
    VerificationRunner,
    VerificationProcessor,
    VerificationRecoveryService,
    VerificationScheduleService,
  ],
  exports: [VerificationScheduleService],
})
export class VerificationWorkerModule {}
