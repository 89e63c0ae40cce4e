import type { Backup, EncryptionKeyOrigin } from '../../generated/prisma/client';

/** The a9s backup object (docs/public-api.md), field for field and in its order. */
export interface BackupResponse {
  id: number;
  backup_id: string;
  size: number;
  status: string;
  triggered_at: string;
  started_at: string | null;
  finished_at: string | null;
  downloadable: boolean;
  /** why a failed backup failed, in words safe to show (never a secret); only when failed */
  failure_reason?: string;
}

export type BackupWithKeyOrigin = Backup & { encryptionKey: { origin: EncryptionKeyOrigin } };

/**
 * The one rule of downloads: a backup is downloadable exactly when downloads are enabled, it is
 * done, and it was encrypted with a key the user set before it was triggered (the key is fixed
 * at trigger time). Returns why not, in words for the user, or null when it is downloadable.
 */
export function whyNotDownloadable(
  b: BackupWithKeyOrigin,
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

export function isDownloadable(b: BackupWithKeyOrigin, downloadsEnabled: boolean): boolean {
  return whyNotDownloadable(b, downloadsEnabled) === null;
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
    ...(b.status === 'failed' && b.failureReason ? { failure_reason: b.failureReason } : {}),
  };
}
