import type { JobType } from 'bullmq';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
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
 * instance's last successful backup, the WAL archive's receivers and lag, the verifications,
 * and the job queues' depth by state.
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
      name: 'backup_manager_wal_receivers',
      help: 'Log receivers of continuous-archiving instances (PostgreSQL WAL, MariaDB binlog) by state and engine (unassigned: no worker holds one).',
      labelNames: ['state', 'engine'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<
          Array<{ state: string; engine: string; n: bigint }>
        >`
          SELECT CASE WHEN r.lease_until IS NULL OR r.lease_until < now() THEN 'unassigned'
                      ELSE r.state END AS state, i.type::text AS engine, count(*) AS n
          FROM wal_receivers r JOIN instances i ON i.id = r.instance_id
          WHERE i.deleted_at IS NULL
          GROUP BY 1, 2`);
        for (const r of rows) this.set({ state: r.state, engine: r.engine }, Number(r.n));
      },
    });
    new Gauge({
      name: 'backup_manager_wal_archive_lag_seconds',
      help: 'How far the log archive (WAL, binlog) of each continuous-archiving instance trails now: now minus the newest moment whose log is in storage (its newest commit, or when the receiver last saw storage hold everything).',
      labelNames: ['instance_id', 'engine'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<
          Array<{ instance_id: string; engine: string; lag: number | null }>
        >`
          SELECT i.id AS instance_id, i.type::text AS engine,
                 extract(epoch FROM now() - greatest(
                   (SELECT max(s.newest_commit_at) FROM wal_segments s WHERE s.instance_id = i.id),
                   r.caught_up_at, i.created_at))::float8 AS lag
          FROM instances i LEFT JOIN wal_receivers r ON r.instance_id = i.id
          WHERE i.deleted_at IS NULL AND i.backup_type = 'continuous_archiving'`);
        for (const r of rows) {
          if (r.lag !== null) this.set({ instance_id: r.instance_id, engine: r.engine }, r.lag);
        }
      },
    });
    new Gauge({
      name: 'backup_manager_wal_slot_retained_bytes',
      help: "Bytes of WAL each continuous-archiving instance's replication slot keeps on its server (its current position minus the slot's restart_lsn), read every 30 s whether or not a worker receives it; alert well before max_slot_wal_keep_size or the server's free disk.",
      labelNames: ['instance_id'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<
          Array<{ instance_id: string; retained: bigint }>
        >`
          SELECT r.instance_id, r.retained_bytes AS retained
          FROM wal_receivers r JOIN instances i ON i.id = r.instance_id
          WHERE i.deleted_at IS NULL AND r.retained_bytes IS NOT NULL`);
        for (const r of rows) this.set({ instance_id: r.instance_id }, Number(r.retained));
      },
    });
    new Counter({
      name: 'backup_manager_wal_gaps_total',
      help: 'Gaps recorded in the log archive (WAL, binlog) of each continuous-archiving instance: stretches of log that no stored piece holds (each also queues a base backup and a wal.gap webhook); alert on increase().',
      labelNames: ['instance_id', 'engine'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<
          Array<{ instance_id: string; engine: string; n: bigint }>
        >`
          SELECT g.instance_id, i.type::text AS engine, count(*) AS n
          FROM wal_gaps g JOIN instances i ON i.id = g.instance_id
          WHERE i.deleted_at IS NULL
          GROUP BY g.instance_id, i.type`);
        for (const r of rows) {
          this.inc({ instance_id: r.instance_id, engine: r.engine }, Number(r.n));
        }
      },
    });
    new Gauge({
      name: 'backup_manager_last_verified_backup_timestamp_seconds',
      help: 'When the newest verified backup of each registered instance was made (its finished_at, Unix seconds); instances with none verified are absent.',
      labelNames: ['instance_id'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<Array<{ instance_id: string; at: Date }>>`
          SELECT b.instance_id, max(b.finished_at) AS at
          FROM verifications v JOIN backups b ON b.pk = v.backup_pk
          JOIN instances i ON i.id = b.instance_id
          WHERE v.status = 'verified' AND i.deleted_at IS NULL
          GROUP BY b.instance_id`);
        for (const r of rows) this.set({ instance_id: r.instance_id }, r.at.getTime() / 1000);
      },
    });
    new Gauge({
      name: 'backup_manager_verifications',
      help: 'The newest verification of each backup, by result (running, verified, failed).',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        const rows = await orNothing(prisma.$queryRaw<Array<{ status: string; n: bigint }>>`
          SELECT status::text AS status, count(*) AS n FROM verifications GROUP BY 1`);
        for (const r of rows) this.set({ status: r.status }, Number(r.n));
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
