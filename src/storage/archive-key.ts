/**
 * The storage layout of archives, in one place: a backup's archive is stored as
 * `<instance id>/<backup_id>.tgz`, and a backup_id starts with its instance id.
 */
export const archiveKey = (b: { instanceId: string; backupId: string }) =>
  `${b.instanceId}/${b.backupId}.tgz`;

const ARCHIVE_KEY = /^([^/]+)\/(\1-[^/]+)\.tgz$/;

/** The backup_id an archive key belongs to, or null for a key of any other shape. */
export function backupIdOfArchiveKey(key: string): string | null {
  return ARCHIVE_KEY.exec(key)?.[2] ?? null;
}

/** The file name a downloaded archive is offered under. */
export const archiveFileName = (backupId: string) => `${backupId}.tgz`;
