import { Module } from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { InstancesRepository } from '../instances/instances.repository';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { StorageModule } from '../storage/storage.module';
import { WorkerPresenceModule } from '../workers/workers.module';
import { VerificationRecoveryService } from './verification-recovery.service';
import { VerificationRunner } from './verification-runner.service';
import { VerificationScheduleService } from './verification-schedule.service';
import { VerificationProcessor } from './verification.processor';
import { VerificationsRepository } from './verifications.repository';

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
  ],
  providers: [
    VerificationsRepository,
    BackupsRepository,
    InstancesRepository,
    VerificationRunner,
    VerificationProcessor,
    VerificationRecoveryService,
    VerificationScheduleService,
  ],
  exports: [VerificationScheduleService],
})
export class VerificationWorkerModule {}
