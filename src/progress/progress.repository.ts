import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import { queryPool } from '../core/prisma/query-pool';
import type { BackupProgress, ProgressResponse, RestoreProgress } from './dto/progress.response';

/** A running backup's estimate is the archive size of its instance's newest done backup. */
const BACKUPS = `
  SELECT b.number AS id, b.status::text AS status,
         b.bytes_read::float8 AS bytes_read, b.bytes_written::float8 AS bytes_written,
         (SELECT d.size::float8 FROM backups d
          WHERE d.instance_id = b.instance_id AND d.status = 'done'
          ORDER BY d.number DESC LIMIT 1) AS expected_bytes
  FROM backups b
  -- queued or running: active_instance_id is the instance's id exactly then (and indexed)
  WHERE b.active_instance_id = $1
  ORDER BY b.number`;

/** Its own restores, and the forks of other instances into it (with source_instance_id). */
const RESTORES = `
  SELECT r.number AS id, b.number AS backup_id, r.status::text AS status,
         r.bytes_read::float8 AS bytes_read, b.size::float8 AS size,
         CASE WHEN r.instance_id <> $1 THEN r.instance_id END AS source_instance_id
  FROM restores r JOIN backups b ON b.pk = r.backup_pk
  WHERE (r.instance_id = $1 OR r.target_instance_id = $1) AND r.status IN ('queued', 'running')
  ORDER BY r.triggered_at, r.number`;

@Injectable()
export class ProgressRepository {
  constructor(private readonly prisma: PrismaService) {}

  async underWay(instanceId: string): Promise<ProgressResponse> {
    const [backups, restores] = await Promise.all([
      queryPool<BackupProgress>(this.prisma.pool, BACKUPS, [instanceId]),
      queryPool<RestoreProgress>(this.prisma.pool, RESTORES, [instanceId]),
    ]);
    return { backups, restores };
  }
}
