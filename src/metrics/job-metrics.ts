import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** From 1 s to 4 h: a small database to a large one. */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];
/** From 1 KiB to 1 TiB, ×4 per bucket. */
const SIZE_BUCKETS = Array.from({ length: 16 }, (_, i) => 1024 * 4 ** i);

/**
 * What the workers count: finished backups and restores by engine and outcome, how long they
 * took and how large the archives are, and retention prunes. Each worker serves its own on
 * WORKER_METRICS_PORT; Prometheus sums them across workers.
 */
@Injectable()
export class JobMetrics {
  readonly backupsFinished: Counter<'engine' | 'status'>;
  readonly backupDuration: Histogram<'engine' | 'status'>;
  readonly archiveSize: Histogram<'engine'>;
  readonly restoresFinished: Counter<'status'>;
  readonly verificationsFinished: Counter<'status'>;
  readonly retentionPruned: Counter;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.backupsFinished = new Counter({
      name: 'backup_manager_backups_finished_total',
      help: 'Backups this worker finished, by engine and status (done or failed).',
      labelNames: ['engine', 'status'],
      registers,
    });
    this.backupDuration = new Histogram({
      name: 'backup_manager_backup_duration_seconds',
      help: 'From a backup starting to run to its end, by engine and status.',
      labelNames: ['engine', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.archiveSize = new Histogram({
      name: 'backup_manager_backup_archive_size_bytes',
      help: 'Size of the stored archive of each done backup, by engine.',
      labelNames: ['engine'],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.restoresFinished = new Counter({
      name: 'backup_manager_restores_finished_total',
      help: 'Restores this worker finished, by status (done or failed).',
      labelNames: ['status'],
      registers,
    });
    this.verificationsFinished = new Counter({
      name: 'backup_manager_verifications_finished_total',
      help: 'Verifications this worker finished, by result (verified or failed).',
      labelNames: ['status'],
      registers,
    });
    this.retentionPruned = new Counter({
      name: 'backup_manager_retention_pruned_total',
      help: 'Backups pruned by the retention rules (their archives removed).',
      registers,
    });
  }

  /** One backup ended; `seconds` is null when it never started running. */
  backupFinished(
    engine: string,
    status: 'done' | 'failed',
    seconds: number | null,
    bytes?: number,
  ): void {
    this.backupsFinished.inc({ engine, status });
    if (seconds !== null) this.backupDuration.observe({ engine, status }, Math.max(0, seconds));
    if (status === 'done' && bytes !== undefined) this.archiveSize.observe({ engine }, bytes);
  }
}
