import { ApiProperty } from '@nestjs/swagger';
import type { Backup, Verification } from '../../generated/prisma/client';
import { VerificationResponse, toVerificationResponse } from './verification.response';

/** A backup as operators see it across instances: which instance, how it was started, why it failed. */
export class AdminBackupResponse {
  @ApiProperty({ description: 'The instance the backup belongs to.' })
  instance_id!: string;

  @ApiProperty({ description: 'The ID of the backup within its instance.' })
  id!: number;

  @ApiProperty({ description: '`<instance id>-<epoch milliseconds at trigger>`.' })
  backup_id!: string;

  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed', 'deleted'] })
  status!: string;

  @ApiProperty({ enum: ['manual', 'scheduled'], description: 'Who started it.' })
  trigger!: string;

  @ApiProperty({ description: 'The size of the stored archive, in bytes.' })
  size!: number;

  @ApiProperty({ format: 'date-time' })
  triggered_at!: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  started_at!: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  finished_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why a failed backup failed (null unless failed); never a secret.',
  })
  failure_reason!: string | null;

  @ApiProperty({
    type: () => VerificationResponse,
    required: false,
    description:
      'The newest verification of the backup (restored into a scratch server); absent when it was never verified.',
  })
  verification?: VerificationResponse;
}

export function toAdminBackupResponse(
  b: Backup & { verification?: Verification | null },
): AdminBackupResponse {
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
    ...(b.verification ? { verification: toVerificationResponse(b.verification) } : {}),
  };
}
