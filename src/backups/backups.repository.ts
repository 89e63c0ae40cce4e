import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { BackupWithKeyOrigin } from './dto/backup.response';

const WITH_KEY_ORIGIN = { encryptionKey: { select: { origin: true } } } as const;

@Injectable()
export class BackupsRepository {
  constructor(private readonly prisma: PrismaService) {}

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
