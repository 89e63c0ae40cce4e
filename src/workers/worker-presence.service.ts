import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { WorkersRepository } from './workers.repository';

/** How often a worker reports itself. */
const REPORT_EVERY_MS = 10_000;

/**
 * The worker's side of the presence table: it reports itself every 10 s and whenever it takes
 * a job, and removes itself when it stops. The times in the table are the database's clock. The API's readiness and `GET /admin/v1/workers`
 * read the table.
 */
@Injectable()
export class WorkerPresence implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerPresence.name);
  readonly id = randomUUID();
  /** a job was taken since the last report that reached the database */
  private tookJobSinceReport = false;
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(private readonly workers: WorkersRepository) {}

  onApplicationBootstrap(): void {
    void this.workers.forgetGone().catch(() => undefined);
    void this.report();
    this.timer = setInterval(() => void this.report(), REPORT_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.workers.remove(this.id).catch(() => undefined);
  }

  /** Called by the processors when they take a job. */
  tookJob(): void {
    this.tookJobSinceReport = true;
    void this.report();
  }

  private async report(): Promise<void> {
    const tookJob = this.tookJobSinceReport;
    try {
      await this.workers.report({ id: this.id, hostname: hostname(), pid: process.pid, tookJob });
      if (tookJob) this.tookJobSinceReport = false;
      this.failing = false;
    } catch (err) {
      // once per outage, not every 10 s
      if (!this.failing) {
        this.logger.warn({ msg: 'could not report this worker as alive', error: String(err) });
      }
      this.failing = true;
    }
  }
}
