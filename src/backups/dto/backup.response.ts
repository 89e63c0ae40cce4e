import type { Backup, EncryptionKeyOrigin } from '../../generated/prisma/client';

/** The seed's backup object, field for field and in the seed's order. */
export interface BackupResponse {
  id: number;
  backup_id: string;
  size: number;
  status: string;
  triggered_at: string;
  started_at: string | null;
  finished_at: string | null;
  downloadable: boolean;
}

export type BackupWithKeyOrigin = Backup & { encryptionKey: { origin: EncryptionKeyOrigin } };

/**
 * A backup is downloadable exactly when it is done, was encrypted with a key the user set
 * before it was triggered (the key is fixed at trigger time), and downloads are enabled.
 */
export function isDownloadable(b: BackupWithKeyOrigin, downloadsEnabled: boolean): boolean {
  return downloadsEnabled && b.status === 'done' && b.encryptionKey.origin === 'user';
}

export function toBackupResponse(
  b: BackupWithKeyOrigin,
  downloadsEnabled: boolean,
): BackupResponse {
  return {
    id: b.number,
    backup_id: b.backupId,
    size: Number(b.size),
    status: b.status,
    triggered_at: b.triggeredAt.toISOString(),
    started_at: b.startedAt?.toISOString() ?? null,
    finished_at: b.finishedAt?.toISOString() ?? null,
    downloadable: isDownloadable(b, downloadsEnabled),
  };
}
