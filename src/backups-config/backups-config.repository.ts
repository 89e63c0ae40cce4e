import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import type { BackupsConfig } from '../generated/prisma/client';

export interface BackupsConfigChanges {
  minBackupCount?: number;
  retentionTime?: number;
  excludeFromAutoBackup?: boolean;
  /** a new user key, which becomes the key of every backup triggered from now on */
  encryptionKey?: string;
}

@Injectable()
export class BackupsConfigRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly keys: EncryptionKeysRepository,
  ) {}

  get(instanceId: string): Promise<BackupsConfig> {
    return this.prisma.backupsConfig.findUniqueOrThrow({ where: { instanceId } });
  }

  /** Applies all changes or none. A replaced key stays stored for the backups it encrypted. */
  async update(instanceId: string, changes: BackupsConfigChanges): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const key =
        changes.encryptionKey === undefined
          ? undefined
          : await this.keys.add(tx, instanceId, 'user', changes.encryptionKey);
      await tx.backupsConfig.update({
        where: { instanceId },
        data: {
          minBackupCount: changes.minBackupCount,
          retentionTime: changes.retentionTime,
          excludeFromAutoBackup: changes.excludeFromAutoBackup,
          activeKeyId: key?.id,
        },
      });
    });
  }
}
