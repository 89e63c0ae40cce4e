import { Module } from '@nestjs/common';
import { WebhookSender } from './webhook-sender.service';
import { WebhooksRepository } from './webhooks.repository';

/** The worker's side of webhooks: sending the deliveries that are due. */
@Module({ providers: [WebhooksRepository, WebhookSender] })
export class WebhooksWorkerModule {}
