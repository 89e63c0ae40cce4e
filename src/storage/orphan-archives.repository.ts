import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';

/** What storage failed to remove: a whole archive, or the leftovers of an aborted write. */
export interface Orphan {
  storageKey: string;
  /** leftovers of an unfinished write under that key (an unfinished multipart upload) */
  partial: boolean;
}

/**
 * Remembers what storage failed to remove (it was down, or refused), so that a later
 * maintenance pass tries again and nothing stays in storage forever. Only failures are
 * written, so the normal path costs nothing.
 */
@Injectable()
export class OrphanArchivesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(orphans: Orphan[]): Promise<void> {
    for (let i = 0; i < orphans.length; i += 1000) {
      await this.prisma.orphanArchive.createMany({
        data: orphans.slice(i, i + 1000),
        skipDuplicates: true,
      });
    }
  }

  /** The oldest orphans, to try again. */
  async oldest(limit: number): Promise<Orphan[]> {
    return this.prisma.orphanArchive.findMany({
      select: { storageKey: true, partial: true },
      orderBy: { failedAt: 'asc' },
      take: limit,
    });
  }

  async forget(orphans: Orphan[]): Promise<void> {
    if (orphans.length === 0) return;
    await this.prisma.orphanArchive.deleteMany({
      where: { OR: orphans.map((o) => ({ storageKey: o.storageKey, partial: o.partial })) },
    });
  }
}
