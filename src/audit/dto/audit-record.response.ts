import { ApiProperty } from '@nestjs/swagger';
import type { AuditRecord } from '../../generated/prisma/client';

/** One state-changing request, as the audit log keeps it. */
export class AuditRecordResponse {
  @ApiProperty({ description: 'The record’s id; `before` of the next page.' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the request was answered.' })
  at!: string;

  @ApiProperty({
    enum: ['admin', 'token', 'backup-manager', 'anonymous'],
    description:
      'Who made it: the admin token, an access token, the Backup Manager API’s credentials, or nobody the service recognised (a refused request).',
  })
  actor!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The access token’s id (`token`).' })
  token_id!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The access token’s name (`token`).' })
  token_name!: string | null;

  @ApiProperty({
    description: 'The method and the route: `POST /v1/instances/:instance_id/backups`.',
  })
  action!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The instance the path names.' })
  instance_id!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What else the path names, as `name=value`: a backup, a token, a webhook.',
  })
  target!: string | null;

  @ApiProperty({ description: 'The request’s `X-Request-Id`, as in the logs.' })
  request_id!: string;

  @ApiProperty({ description: 'The client’s address.' })
  client_address!: string;

  @ApiProperty({ description: 'The HTTP status it was answered with.' })
  status!: number;
}

export function toAuditRecordResponse(r: AuditRecord): AuditRecordResponse {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actor: r.actor,
    token_id: r.tokenId,
    token_name: r.tokenName,
    action: r.action,
    instance_id: r.instanceId,
    target: r.target,
    request_id: r.requestId,
    client_address: r.clientAddress,
    status: r.status,
  };
}
