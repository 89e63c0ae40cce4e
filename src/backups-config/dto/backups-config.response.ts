/** The a9s backups-config body, field for field. The encryption key is never part of it. */
export interface BackupsConfigResponse {
  min_backup_count: number;
  retention_time: number;
  min_encryption_key_length: number;
  exclude_from_auto_backup: boolean;
  backup_type: string;
}

export const INSTANCE_UPDATED = { message: 'instance updated' } as const;
