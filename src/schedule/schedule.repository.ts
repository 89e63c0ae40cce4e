import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import { queryPool } from '../core/prisma/query-pool';

const SCHEDULABLE_IDS = `
  SELECT i.id FROM instances i
  JOIN backups_config c ON c.instance_id = i.id
  WHERE i.deleted_at IS NULL AND NOT c.exclude_from_auto_backup
    AND ($1::text IS NULL OR i.id > $1::text)
  ORDER BY i.id
  LIMIT $2::int`;

@Injectable()
export class ScheduleRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Ids of registered instances that take part in scheduled backups, in pages after `after`.
   * One statement on the pool under Prisma: planning 100,000 instances reads 20 such pages, and
   * Prisma's relation filter cost about ten times what the join costs.
   */
  async schedulableIds(after: string | null, limit: number): Promise<string[]> {
    const rows = await queryPool<{ id: string }>(this.prisma.pool, SCHEDULABLE_IDS, [after, limit]);
    return rows.map((r) => r.id);
  }

  /** Whether the instance is still registered and not excluded, read at the moment of the trigger. */
  async isSchedulable(instanceId: string): Promise<boolean> {
    return (
      (await this.prisma.instance.count({
        where: { id: instanceId, deletedAt: null, config: { excludeFromAutoBackup: false } },
      })) > 0
    );
  }

  async hasScheduledBackupSince(instanceId: string, since: Date): Promise<boolean> {
    return (
      (await this.prisma.backup.count({
        where: { instanceId, trigger: 'scheduled', triggeredAt: { gte: since } },
      })) > 0
    );
  }
}
