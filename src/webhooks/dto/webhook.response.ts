import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Webhook, WebhookDelivery } from '../../generated/prisma/client';
import { WEBHOOK_EVENTS } from '../webhook-events';

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } })
  events!: string[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

/** A new webhook: its generated secret, when the request gave none, shown this once. */
export class CreatedWebhookResponse extends WebhookResponse {
  @ApiPropertyOptional({ description: 'The generated signing secret; shown once.' })
  secret?: string;
}

export class DeliveryAttemptResponse {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The receiver’s HTTP status; null when it never answered.',
  })
  status_code!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the attempt failed, if it did.' })
  error!: string | null;

  @ApiProperty()
  duration_ms!: number;
}

export class DeliveryResponse {
  @ApiProperty({
    format: 'uuid',
    description: 'Also the `id` of the body and the Backup-Manager-Delivery header.',
  })
  id!: string;

  @ApiProperty({
    enum: [...WEBHOOK_EVENTS, 'ping'],
    description: '`ping`: sent on request (`POST /admin/v1/webhooks/{id}/ping`).',
  })
  event!: string;

  @ApiProperty({
    enum: ['pending', 'delivered', 'failed'],
    description: '`failed`: no attempt succeeded within a day; no more are made.',
  })
  status!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: [DeliveryAttemptResponse] })
  attempt_log!: DeliveryAttemptResponse[];

  @ApiProperty({
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When the next attempt is due, while pending.',
  })
  next_attempt_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  finished_at!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The JSON body sent, as sent.',
  })
  payload!: Record<string, unknown>;
}

/** A webhook as operators see it: never its secret. */
export function toWebhookResponse(w: Webhook): WebhookResponse {
  return { id: w.id, url: w.url, events: w.events, created_at: w.createdAt.toISOString() };
}

export function toDeliveryResponse(d: WebhookDelivery): DeliveryResponse {
  return {
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    attempt_log: d.attemptLog as unknown as DeliveryAttemptResponse[],
    next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    created_at: d.createdAt.toISOString(),
    finished_at: d.finishedAt?.toISOString() ?? null,
    payload: JSON.parse(d.payload) as Record<string, unknown>,
  };
}
