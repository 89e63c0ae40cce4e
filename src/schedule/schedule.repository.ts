import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

@Injectable()
export class ScheduleRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Ids of registered instances that take part in scheduled backups, in pages. */
  async schedulableIds(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.prisma.instance.findMany({
      where: {
        deletedAt: null,
        config: { excludeFromAutoBackup: false },
        ...(after ? { id: { gt: after } } : {}),
      },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
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
