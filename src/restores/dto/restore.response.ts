import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Restore } from '../../generated/prisma/client';

/** A restore as the public API shows it. */
export class RestoreMetadata {
  @ApiProperty({
    description:
      'The triggered_at of the backup restored; for a point-in-time restore, the moment chosen.',
    format: 'date-time',
  })
  restored_from!: string;
}

export class RestoreResponse {
  @ApiProperty({ description: 'The ID of the restore within the Service Instance.' })
  id!: number;

  @ApiProperty({ description: 'The ID of the backup restored, within the Service Instance.' })
  backup_id!: number;

  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] })
  status!: string;

  @ApiProperty({ format: 'date-time' })
  triggered_at!: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  started_at!: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  finished_at!: string | null;

  @ApiProperty()
  metadata!: RestoreMetadata;

  @ApiPropertyOptional({
    description:
      'Only on a failed restore: what went wrong, in words for a person, with no secret.',
  })
  failure_reason?: string;

  @ApiPropertyOptional({
    description: 'Only on a fork: the other instance the backup was restored into.',
  })
  target_instance_id?: string;

  @ApiPropertyOptional({
    description:
      "Only in the list of a fork's target: the instance the backup came from; `id` and `backup_id` are that instance's.",
  })
  source_instance_id?: string;
}

export type RestoreWithBackup = Restore & { backup: { number: number; triggeredAt: Date } };

/** A restore as seen from `viewedFrom` (its own instance unless a fork's target lists it). */
export function toRestoreResponse(
  r: RestoreWithBackup,
  viewedFrom = r.instanceId,
): RestoreResponse {
  return {
    id: r.number,
    backup_id: r.backup.number,
    status: r.status,
    triggered_at: r.triggeredAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    metadata: { restored_from: (r.pointInTime ?? r.backup.triggeredAt).toISOString() },
    ...(r.status === 'failed' && r.failureReason ? { failure_reason: r.failureReason } : {}),
    ...(r.targetInstanceId ? { target_instance_id: r.targetInstanceId } : {}),
    ...(viewedFrom !== r.instanceId ? { source_instance_id: r.instanceId } : {}),
  };
}

export class RestoreQueuedResponse {
  @ApiProperty({ description: 'The ID of the restore within the Service Instance.' })
  id!: number;

  @ApiProperty({ example: 'job to restore is queued' })
  message!: 'job to restore is queued';
}
