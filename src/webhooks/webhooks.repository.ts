import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Webhook, WebhookDelivery } from '../generated/prisma/client';

/** A delivery a worker took to send, with what it needs to send it. */
export interface DueDelivery {
  id: string;
  event: string;
  payload: string;
  attempts: number;
  url: string;
  webhookId: string;
  secret: Uint8Array<ArrayBuffer>;
}

/** How one attempt went; it is logged with the database's time. */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new webhook's id is chosen first, so that its secret can be sealed for that row. */
  create(
    id: string,
    data: { url: string; events: string[]; secret: Uint8Array<ArrayBuffer> },
  ): Promise<Webhook> {
    return this.prisma.webhook.create({ data: { id, ...data } });
  }

  list(): Promise<Webhook[]> {
    return this.prisma.webhook.findMany({ orderBy: { createdAt: 'asc' } });
  }

  find(id: string): Promise<Webhook | null> {
    return this.prisma.webhook.findUnique({ where: { id } });
  }

  /** Removes a webhook and its deliveries (pending ones are never sent); false when unknown. */
  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.webhook.deleteMany({ where: { id } });
    return count > 0;
  }

  /**
   * Queues a `ping` to one webhook, sent by a worker like any delivery (signed, timed out,
   * retried), so that an operator sees the receiver answer in its deliveries.
   */
  queuePing(webhookId: string, at: Date): Promise<WebhookDelivery> {
    const id = randomUUID();
    const payload = JSON.stringify({
      id,
      event: 'ping',
      created_at: at.toISOString(),
      data: { webhook_id: webhookId },
    });
    return this.prisma.webhookDelivery.create({
      data: { id, webhookId, event: 'ping', payload },
    });
  }

  deliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    return this.prisma.webhookDelivery.findMany({
      where: { webhookId },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: limit,
    });
  }

  /**
   * Takes up to `limit` pending deliveries that are due, for `lockMs`: another worker skips
   * them (SKIP LOCKED now, locked_until later) until this one recorded the attempt, or its lock
   * ran out because it died mid-send (the delivery is then sent again: at least once).
   */
  async claimDue(limit: number, lockMs: number): Promise<DueDelivery[]> {
    const rows = await this.prisma.$queryRaw<(Omit<DueDelivery, 'secret'> & { secret: string })[]>`
      UPDATE webhook_deliveries d
      SET locked_until = now() + ${lockMs} * interval '1 millisecond', attempts = d.attempts + 1
      FROM webhooks w
      WHERE w.id = d.webhook_id AND d.id IN (
        SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
          AND (locked_until IS NULL OR locked_until < now())
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.event, d.payload, d.attempts, w.url, w.id AS "webhookId",
                encode(w.secret, 'base64') AS secret`;
    return rows.map((r) => ({ ...r, secret: new Uint8Array(Buffer.from(r.secret, 'base64')) }));
  }

  /**
   * Records one attempt: delivered, or due again after `retryInMs`, or failed for good when
   * that would fall more than `giveUpAfterMs` after the event (the database's clock).
   */
  async recordAttempt(
    id: string,
    attempt: AttemptOutcome,
    delivered: boolean,
    retryInMs: number,
    giveUpAfterMs: number,
  ): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE webhook_deliveries SET
        attempt_log = attempt_log || jsonb_build_array(jsonb_build_object(
          'at', api_time(now()), 'status_code', ${attempt.statusCode}::int,
          'error', ${attempt.error}::text, 'duration_ms', ${attempt.durationMs}::int)),
        locked_until = NULL,
        status = (CASE
          WHEN ${delivered} THEN 'delivered'
          WHEN created_at + ${giveUpAfterMs} * interval '1 millisecond'
               < now() + ${retryInMs} * interval '1 millisecond' THEN 'failed'
          ELSE 'pending' END)::delivery_status,
        next_attempt_at = now() + ${retryInMs} * interval '1 millisecond',
        finished_at = (CASE
          WHEN ${delivered} OR created_at + ${giveUpAfterMs} * interval '1 millisecond'
               < now() + ${retryInMs} * interval '1 millisecond' THEN now() END)
      WHERE id = ${id}::uuid`;
  }
}
