import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Backup, EncryptionKeyOrigin } from '../../generated/prisma/client';

/** The a9s backup object (docs/public-api.md), field for field and in its order. */
export class BackupResponse {
  @ApiProperty({
    description: 'The internal ID of the backup within the Service Instance.',
    example: 3,
  })
  id!: number;

  @ApiProperty({
    description:
      'The ID of the backup within the Backup Manager and the storage itself: `<instance id>-<epoch milliseconds at trigger>`.',
    example: 'pg-1-1618882202898',
  })
  backup_id!: string;

  @ApiProperty({ description: 'The size of the backup, in bytes.', example: 2792 })
  size!: number;

  @ApiProperty({
    description: 'The status of the task.',
    enum: ['queued', 'running', 'done', 'failed', 'deleted'],
  })
  status!: string;

  @ApiProperty({
    description: 'The date the task was triggered, in ISO 8601 UTC time.',
    format: 'date-time',
  })
  triggered_at!: string;

  @ApiProperty({
    description: 'The date the task was picked up for processing, in ISO 8601 UTC time.',
    format: 'date-time',
    type: String,
    nullable: true,
  })
  started_at!: string | null;

  @ApiProperty({
    description: 'The date on which the status of the task was last changed, in ISO 8601 UTC time.',
    format: 'date-time',
    type: String,
    nullable: true,
  })
  finished_at!: string | null;

  @ApiProperty({
    description:
      'Indicates if the backup can be downloaded: done, encrypted with a key the user set before it was triggered, and downloads enabled.',
  })
  downloadable!: boolean;

  @ApiPropertyOptional({
    description: 'Only on a failed backup: why it failed, in words safe to show (never a secret).',
    example: 'pg_dump exited with code 1: FATAL: database "shop" does not exist',
  })
  failure_reason?: string;
}

export type BackupWithKeyOrigin = Backup & { encryptionKey: { origin: EncryptionKeyOrigin } };

/**
 * The one rule of downloads: a backup is downloadable exactly when downloads are enabled, it is
 * done, and it was encrypted with a key the user set before it was triggered (the key is fixed
 * at trigger time). Returns why not, in words for the user, or null when it is downloadable.
 */
export function whyNotDownloadable(
  b: Pick<Backup, 'number' | 'status'> & { encryptionKey: { origin: EncryptionKeyOrigin } },
  downloadsEnabled: boolean,
): string | null {
  if (!downloadsEnabled) return 'Downloads of backups are disabled on this platform.';
  if (b.status !== 'done') {
    return `Backup ${b.number} is ${b.status}; only a done backup can be downloaded.`;
  }
  if (b.encryptionKey.origin !== 'user') {
    return (
      `Backup ${b.number} was made before an encryption key was set, so only the platform can decrypt it; ` +
      'set encryption_key with PATCH backups-config and trigger a new backup to download one.'
    );
  }
  return null;
}
