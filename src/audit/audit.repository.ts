import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { AuditRecord } from '../generated/prisma/client';

export type NewAuditRecord = Omit<AuditRecord, 'id' | 'at'>;

export interface AuditFilter {
  instanceId?: string;
  actor?: string;
  action?: string;
  since?: Date;
  until?: Date;
  before?: bigint;
  limit: number;
}

/** The audit log: one record per state-changing request, read newest first. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(record: NewAuditRecord): Promise<void> {
    await this.prisma.auditRecord.create({ data: record });
  }

  list(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.prisma.auditRecord.findMany({
      where: {
        instanceId: filter.instanceId,
        actor: filter.actor,
        action: filter.action,
        at: filter.since || filter.until ? { gte: filter.since, lt: filter.until } : undefined,
        id: filter.before !== undefined ? { lt: filter.before } : undefined,
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
  }

  /** Removes the records older than `days` days (0: none); returns how many went. */
  async prune(days: number): Promise<number> {
    if (days <= 0) return 0;
    return this.prisma.$executeRaw`
      DELETE FROM audit_records WHERE at < now() - make_interval(days => ${days}::int)`;
  }
}
