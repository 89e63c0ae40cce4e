import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

/** A worker is alive while it reported itself within this many seconds. */
export const WORKER_ALIVE_SECONDS = 30;

export interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  seenAt: Date;
  lastJobAt: Date | null;
}

@Injectable()
export class WorkersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The worker says it is alive, and whether it took a job since it last said so. Every time
   * is the database's clock (started_at is its first report), so skewed clocks agree.
   */
  async report(w: { id: string; hostname: string; pid: number; tookJob: boolean }): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO workers (id, hostname, pid, started_at, seen_at, last_job_at)
      VALUES (${w.id}::uuid, ${w.hostname}, ${w.pid}, now(), now(),
              CASE WHEN ${w.tookJob} THEN now() END)
      ON CONFLICT (id) DO UPDATE SET seen_at = now(),
        last_job_at = CASE WHEN ${w.tookJob} THEN now() ELSE workers.last_job_at END`;
  }

  async remove(id: string): Promise<void> {
    await this.prisma.worker.deleteMany({ where: { id } });
  }

  /** Drops the rows of workers gone for a day (killed, so they could not remove their own). */
  async forgetGone(): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM workers WHERE seen_at < now() - interval '1 day'`;
  }

  /** Workers seen recently, most recently started first (read by readiness: reads only). */
  alive(): Promise<WorkerRow[]> {
    return this.prisma.$queryRaw<WorkerRow[]>`
      SELECT id, hostname, pid, started_at AS "startedAt", seen_at AS "seenAt",
             last_job_at AS "lastJobAt"
      FROM workers
      WHERE seen_at > now() - make_interval(secs => ${WORKER_ALIVE_SECONDS})
      ORDER BY started_at DESC`;
  }
}
