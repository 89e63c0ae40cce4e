import { Injectable } from '@nestjs/common';
import { queryPool } from '../core/prisma/query-pool';
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

  /** The settings a GET shows, in one query on the pool, not through Prisma's client (a hot read). */
  async get(
    instanceId: string,
  ): Promise<Pick<BackupsConfig, 'minBackupCount' | 'retentionTime' | 'excludeFromAutoBackup'>> {
    const rows = await queryPool<
      Pick<BackupsConfig, 'minBackupCount' | 'retentionTime' | 'excludeFromAutoBackup'>
    >(
      this.prisma.pool,
      `SELECT min_backup_count AS "minBackupCount", retention_time AS "retentionTime",
              exclude_from_auto_backup AS "excludeFromAutoBackup"
       FROM backups_config WHERE instance_id = $1`,
      [instanceId],
    );
    if (rows.length === 0) throw new Error(`instance ${instanceId} has no backups config`);
    return rows[0];
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
