import type { JobType } from 'bullmq';
import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { PrismaService } from '../core/prisma/prisma.service';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { MetricsRegistry } from './metrics-registry';

const QUEUE_STATES: JobType[] = [
  'waiting',
  'delayed',
  'active',
  'failed',
  'completed',
  'prioritized',
];

/**
 * What the shared state says, read when Prometheus scrapes the API (so every API process
 * reports the same values; aggregate with max): backups by engine and status, each registered
 * instance's last successful backup, and the job queues' depth by state.
 */
@Injectable()
export class StateMetrics {
  constructor(metrics: MetricsRegistry, prisma: PrismaService, queue: JobEnqueuer) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'backup_manager_backups',
      help: 'Backup records by engine and status.',
      labelNames: ['engine', 'status'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<
          Array<{ engine: string; status: string; n: bigint }>
        >`
          SELECT i.type::text AS engine, b.status::text AS status, count(*) AS n
          FROM backups b JOIN instances i ON i.id = b.instance_id
          GROUP BY 1, 2`);
        for (const r of rows) this.set({ engine: r.engine, status: r.status }, Number(r.n));
      },
    });
    new Gauge({
      name: 'backup_manager_last_successful_backup_timestamp_seconds',
      help: 'When the newest done backup of each registered instance finished, or when the instance was registered while none has (Unix seconds); alert on time() minus this.',
      labelNames: ['instance_id', 'engine'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<
          Array<{ instance_id: string; engine: string; finished: Date }>
        >`
          SELECT i.id AS instance_id, i.type::text AS engine,
                 -- an instance that never succeeded counts from its registration: the alert
                 -- fires for it once it has gone as long without a backup as any other
                 coalesce(max(b.finished_at), i.created_at) AS finished
          FROM instances i LEFT JOIN backups b ON b.instance_id = i.id AND b.status = 'done'
          WHERE i.deleted_at IS NULL
          GROUP BY i.id, i.type, i.created_at`);
        for (const r of rows) {
          this.set({ instance_id: r.instance_id, engine: r.engine }, r.finished.getTime() / 1000);
        }
      },
    });
    new Gauge({
      name: 'backup_manager_queue_jobs',
      help: 'Jobs in each queue by state.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        const byQueue = await queue.jobCounts(QUEUE_STATES).catch(() => ({}));
        for (const [name, counts] of Object.entries(byQueue)) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
        }
      },
    });
  }
}

/**
 * A scrape while PostgreSQL is away still answers (with Node's figures and the HTTP durations);
 * the missing series are what an alert on absent data notices, and /health/ready says why.
 */
async function orNothing<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch {
    return [];
  }
}
