import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Backup, BackupTrigger } from '../generated/prisma/client';
import type { BackupWithKeyOrigin } from './dto/backup.response';

const WITH_KEY_ORIGIN = { encryptionKey: { select: { origin: true } } } as const;

export interface StoredArchive {
  storageKey: string;
  size: bigint;
  sha256: string;
}

@Injectable()
export class BackupsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records a new queued backup with the next per-instance number and the instance's active
   * encryption key, in one transaction. The row lock on the instance serialises numbering; the
   * partial unique index refuses a second queued/running backup (Prisma error P2002), and the
   * rollback then gives the number back, so numbers stay gapless and are never reused.
   */
  async insertQueued(
    instanceId: string,
    trigger: BackupTrigger,
    triggeredAt: Date,
  ): Promise<Backup> {
    return this.prisma.$transaction(async (tx) => {
      const { lastBackupNumber } = await tx.instance.update({
        where: { id: instanceId },
        data: { lastBackupNumber: { increment: 1 } },
        select: { lastBackupNumber: true },
      });
      const { activeKeyId } = await tx.backupsConfig.findUniqueOrThrow({
        where: { instanceId },
        select: { activeKeyId: true },
      });
      return tx.backup.create({
        data: {
          instanceId,
          number: lastBackupNumber,
          backupId: `${instanceId}-${triggeredAt.getTime()}`,
          status: 'queued',
          trigger,
          triggeredAt,
          encryptionKeyId: activeKeyId,
        },
      });
    });
  }

  findByPk(pk: bigint): Promise<Backup | null> {
    return this.prisma.backup.findUnique({ where: { pk } });
  }

  /** Takes back a backup that could not be queued; only while it is still queued. */
  async deleteQueued(pk: bigint): Promise<void> {
    await this.prisma.backup.deleteMany({ where: { pk, status: 'queued' } });
  }

  /**
   * Moves a backup to running (again, when a worker retries it after a failure or a crash);
   * false when it is no longer queued or running.
   */
  async markRunning(pk: bigint, at: Date): Promise<boolean> {
    const { count } = await this.prisma.backup.updateMany({
      where: { pk, status: { in: ['queued', 'running'] } },
      data: { status: 'running', startedAt: at },
    });
    return count > 0;
  }

  /** Backups that a worker should be busy with, oldest first, for the recovery sweep. */
  listUnfinished(limit: number): Promise<Backup[]> {
    return this.prisma.backup.findMany({
      where: { status: { in: ['queued', 'running'] } },
      orderBy: { pk: 'asc' },
      take: limit,
    });
  }

  async markDone(pk: bigint, archive: StoredArchive, at: Date): Promise<boolean> {
    const { count } = await this.prisma.backup.updateMany({
      where: { pk, status: 'running' },
      data: { status: 'done', finishedAt: at, ...archive },
    });
    return count > 0;
  }

  async markFailed(pk: bigint, reason: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.backup.updateMany({
      where: { pk, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', finishedAt: at, failureReason: reason },
    });
    return count > 0;
  }

  /** All backups of an instance, newest first. */
  list(instanceId: string): Promise<BackupWithKeyOrigin[]> {
    return this.prisma.backup.findMany({
      where: { instanceId },
      orderBy: { number: 'desc' },
      include: WITH_KEY_ORIGIN,
    });
  }

  find(instanceId: string, number: number): Promise<BackupWithKeyOrigin | null> {
    return this.prisma.backup.findUnique({
      where: { instanceId_number: { instanceId, number } },
      include: WITH_KEY_ORIGIN,
    });
  }
}
