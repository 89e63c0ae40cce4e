import type { Restore } from '../../generated/prisma/client';

/** A restore as the public API shows it. */
export interface RestoreResponse {
  id: number;
  backup_id: number;
  status: string;
  triggered_at: string;
  started_at: string | null;
  finished_at: string | null;
  metadata: { restored_from: string };
  /** only when failed: what went wrong, in words for a person, with no secret */
  failure_reason?: string;
}

export type RestoreWithBackup = Restore & { backup: { number: number; triggeredAt: Date } };

export function toRestoreResponse(r: RestoreWithBackup): RestoreResponse {
  return {
    id: r.number,
    backup_id: r.backup.number,
    status: r.status,
    triggered_at: r.triggeredAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    metadata: { restored_from: r.backup.triggeredAt.toISOString() },
    ...(r.status === 'failed' && r.failureReason ? { failure_reason: r.failureReason } : {}),
  };
}

export interface RestoreQueuedResponse {
  id: number;
  message: 'job to restore is queued';
}
