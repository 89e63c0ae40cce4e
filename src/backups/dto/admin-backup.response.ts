import type { Backup } from '../../generated/prisma/client';

/** A backup as operators see it across instances: which instance, how it was started, why it failed. */
export interface AdminBackupResponse {
  instance_id: string;
  id: number;
  backup_id: string;
  status: string;
  trigger: string;
  size: number;
  triggered_at: string;
  started_at: string | null;
  finished_at: string | null;
  failure_reason: string | null;
}

export function toAdminBackupResponse(b: Backup): AdminBackupResponse {
  return {
    instance_id: b.instanceId,
    id: b.number,
    backup_id: b.backupId,
    status: b.status,
    trigger: b.trigger,
    size: Number(b.size),
    triggered_at: b.triggeredAt.toISOString(),
    started_at: b.startedAt?.toISOString() ?? null,
    finished_at: b.finishedAt?.toISOString() ?? null,
    failure_reason: b.status === 'failed' ? b.failureReason : null,
  };
}
