import { Module } from '@nestjs/common';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { StorageModule } from '../storage/storage.module';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Pruning by the retention rules, and reconciling storage with the records (worker side). */
@Module({
  imports: [StorageModule, WorkerMetricsModule],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
