import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../core/async/with-timeout';
import { PrismaService } from '../core/prisma/prisma.service';
import { UpstreamError } from '../core/errors/domain-errors';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { WorkersRepository } from '../workers/workers.repository';

/** How long one dependency may take to answer before readiness calls it down. */
export const READY_CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly queue: JobEnqueuer,
    private readonly workers: WorkersRepository,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
  ) {}

  async check(): Promise<{ status: 'ok' }> {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
    } catch {
      throw new UpstreamError('The database does not answer.');
    }
    return { status: 'ok' };
  }

  /** Every dependency checked at once, each within READY_CHECK_TIMEOUT_MS. */
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.probe('database', () => this.prisma.$queryRaw`SELECT 1`),
      () => this.probe('redis', () => this.queue.ping()),
      () => this.probe('storage', () => this.storage.probe()),
      () => this.workersInfo(),
    ]);
  }

  private async probe(key: string, call: () => Promise<unknown>) {
    const session = this.indicator.check(key);
    try {
      await withTimeout(call(), READY_CHECK_TIMEOUT_MS, noAnswer);
      return session.up();
    } catch (err) {
      return session.down({ message: describe(err) });
    }
  }

  /** Workers are reported, not required: the API serves reads without them. */
  private async workersInfo() {
    const session = this.indicator.check('workers');
    try {
      const alive = await withTimeout(this.workers.alive(), READY_CHECK_TIMEOUT_MS, noAnswer);
      const lastJob = alive
        .map((w) => w.lastJobAt?.getTime() ?? 0)
        .reduce((a, b) => Math.max(a, b), 0);
      return session.up({
        alive: alive.length,
        last_job_at: lastJob > 0 ? new Date(lastJob).toISOString() : null,
      });
    } catch {
      return session.up({ alive: null, last_job_at: null });
    }
  }
}

const noAnswer = () => new Error(`no answer within ${READY_CHECK_TIMEOUT_MS} ms`);

/**
 * A short reason, without connection strings: the last line of the error's message (Prisma
 * puts the driver's own reason, e.g. a certificate that does not verify, below its
 * "Invalid `prisma.$queryRaw()` invocation:" heading).
 */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line =
    message
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? 'failed';
  return line
    .trim()
    .replace(/\w+:\/\/[^\s]*/g, '[url]')
    .slice(0, 200);
}
