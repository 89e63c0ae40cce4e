import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { JobMetrics } from './job-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';
import { StateMetrics } from './state-metrics';

/** The API's /metrics: HTTP durations and the shared state (backups, last success, queues). */
@Module({
  imports: [JobsModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, StateMetrics],
  exports: [MetricsRegistry],
})
export class MetricsModule {}

/** A worker's own figures, served on WORKER_METRICS_PORT by worker.ts. */
@Module({
  providers: [MetricsRegistry, JobMetrics],
  exports: [MetricsRegistry, JobMetrics],
})
export class WorkerMetricsModule {}
