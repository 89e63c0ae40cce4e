import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { JobType, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig } from '../core/config/app-config';
import { currentRequestId } from '../core/logging/request-context';
import { UpstreamError } from '../core/errors/domain-errors';
import { QueuedJob, addJob } from './add-job';
import {
  BACKUPS_QUEUE,
  RESTORES_QUEUE,
  RunBackupPayload,
  RunRestorePayload,
  RunVerificationPayload,
  VERIFICATIONS_QUEUE,
  runBackupJob,
  runRestoreJob,
  runVerificationJob,
} from './queue.contract';
import { redisConnection } from '../core/connections/redis-connection';
import { redisOptions } from './redis-options';

/**
 * The API's side of the job queues: it only adds backup, restore and verification jobs. Commands fail at once while Redis is
 * unreachable (no offline queue) and are bounded by UPSTREAM_TIMEOUT_MS, so a request never hangs
 * on Redis: 502 when Redis refuses or errs, 504 when it does not answer in time.
 */
@Injectable()
export class JobEnqueuer implements OnModuleDestroy {
  private readonly logger = new Logger(JobEnqueuer.name);
  private readonly connection: IORedis;
  private readonly queue: Queue<RunBackupPayload>;
  private readonly restores: Queue<RunRestorePayload>;
  private readonly verifications: Queue<RunVerificationPayload>;
  private lastError = '';

  constructor(private readonly config: AppConfig) {
    this.connection = new IORedis({
      ...redisConnection(config.redisUrl),
      ...redisOptions(config.upstreamTimeoutMs),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    this.connection.on('error', (err: Error) => {
      if (err.message !== this.lastError)
        this.logger.warn({ msg: 'job queue connection error', error: err.message });
      this.lastError = err.message;
    });
    this.connection.on('ready', () => (this.lastError = ''));
    this.queue = new Queue(BACKUPS_QUEUE, {
      connection: this.connection,
      prefix: config.queuePrefix,
    });
    this.queue.on('error', () => undefined); // reported through the connection above
    this.restores = new Queue(RESTORES_QUEUE, {
      connection: this.connection,
      prefix: config.queuePrefix,
    });
    this.restores.on('error', () => undefined);
    this.verifications = new Queue(VERIFICATIONS_QUEUE, {
      connection: this.connection,
      prefix: config.queuePrefix,
    });
    this.verifications.on('error', () => undefined);
  }

  async enqueueBackup(backup: { pk: bigint; backupId: string; instanceId: string }): Promise<void> {
    const job = runBackupJob(backup, currentRequestId());
    await this.add(this.queue, job, 'backup');
  }

  async enqueueRestore(restore: {
    pk: bigint;
    instanceId: string;
    triggeredAt: Date;
  }): Promise<void> {
    const job = runRestoreJob(restore, currentRequestId());
    await this.add(this.restores, job, 'restore');
  }

  async enqueueVerification(verification: { backupPk: bigint; startedAt: Date }): Promise<void> {
    await this.add(this.verifications, runVerificationJob(verification), 'verification');
  }

  /** Adds a job at once or not at all: Redis unreachable is a 502 without waiting. */
  private async add(queue: Queue, job: QueuedJob, what: string): Promise<void> {
    if (this.connection.status !== 'ready') {
      throw new UpstreamError(`The job queue (Redis) cannot be reached; no ${what} was queued.`);
    }
    await addJob(queue, job, what, this.config.upstreamTimeoutMs);
  }

  /** Jobs per state in each queue this process adds to, for the metrics. */
  async jobCounts(states: JobType[]): Promise<Record<string, Record<string, number>>> {
    const [backups, restores, verifications] = await Promise.all([
      this.queue.getJobCounts(...states),
      this.restores.getJobCounts(...states),
      this.verifications.getJobCounts(...states),
    ]);
    return {
      [BACKUPS_QUEUE]: backups,
      [RESTORES_QUEUE]: restores,
      [VERIFICATIONS_QUEUE]: verifications,
    };
  }

  /** Rejects unless Redis answers PING now (no waiting for a reconnect). */
  async ping(): Promise<void> {
    if (this.connection.status !== 'ready') {
      throw new Error(`not connected (${this.connection.status})`);
    }
    await this.connection.ping();
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.restores.close().catch(() => undefined);
    await this.verifications.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
