import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import { queryPool } from '../core/prisma/query-pool';
import { PitrRepository } from '../pitr/pitr.repository';

export interface FleetRow {
  id: string;
  name: string;
  type: string;
  backup_type: string;
  created_at: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_reason: string | null;
  verification_status: string | null;
  verified_at: string | null;
  running: boolean;
  running_bytes: number | null;
  expected_bytes: number | null;
  pitr_start: string | null;
  pitr_end: string | null;
}

/**
 * Every registered instance with what an operator looks at first, in one statement: the newest
 * done backup, the newest failed one (when it is newer than the newest done one), the newest
 * verification and whether a backup or restore is under way. Each lookup walks the
 * (instance_id, number) index backwards from the newest backup.
 */
const FLEET = `
  SELECT i.id, i.name, i.type::text, i.backup_type::text, api_time(i.created_at) AS created_at,
         api_time(ok.finished_at) AS last_success_at,
         api_time(bad.finished_at) AS last_failure_at,
         bad.failure_reason AS last_failure_reason,
         v.status::text AS verification_status,
         CASE WHEN v.status = 'verified' THEN api_time(v.finished_at) END AS verified_at,
         -- a backup queued or running: active_instance_id is the instance's id exactly then
         EXISTS (SELECT 1 FROM backups a WHERE a.active_instance_id = i.id)
           OR EXISTS (SELECT 1 FROM restores r WHERE r.instance_id = i.id AND r.status IN ('queued', 'running'))
           AS running,
         (SELECT a.bytes_written::float8 FROM backups a
          WHERE a.active_instance_id = i.id AND a.status = 'running') AS running_bytes,
         ok.size::float8 AS expected_bytes
  FROM instances i
  LEFT JOIN LATERAL (
    SELECT b.number, b.finished_at, b.size FROM backups b
    WHERE b.instance_id = i.id AND b.status = 'done' ORDER BY b.number DESC LIMIT 1) ok ON true
  LEFT JOIN LATERAL (
    SELECT b.finished_at, b.failure_reason FROM backups b
    WHERE b.instance_id = i.id AND b.status = 'failed' AND b.number > coalesce(ok.number, 0)
    ORDER BY b.number DESC LIMIT 1) bad ON true
  LEFT JOIN LATERAL (
    SELECT v.status, v.finished_at FROM verifications v
    WHERE v.instance_id = i.id ORDER BY v.backup_pk DESC LIMIT 1) v ON true
  WHERE i.deleted_at IS NULL AND ('*' = ANY($1::text[]) OR i.id = ANY($1::text[]))
  ORDER BY i.name, i.id`;

@Injectable()
export class FleetRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pitr: PitrRepository,
  ) {}

  /**
   * The fleet, or the instances a token was granted (`granted`, `*` = all), with the window of
   * each continuous-archiving instance (one query each).
   */
  async instances(granted: string[] = ['*']): Promise<FleetRow[]> {
    const rows = await queryPool<Omit<FleetRow, 'pitr_start' | 'pitr_end'>>(
      this.prisma.pool,
      FLEET,
      [granted],
    );
    return Promise.all(
      rows.map(async (row) => {
        if (row.backup_type !== 'continuous_archiving') {
          return { ...row, pitr_start: null, pitr_end: null };
        }
        const { start, end } = await this.pitr.window(row.id);
        const open = start !== null && end !== null && start <= end;
        return {
          ...row,
          pitr_start: open ? start.toISOString() : null,
          pitr_end: open ? end.toISOString() : null,
        };
      }),
    );
  }
}
