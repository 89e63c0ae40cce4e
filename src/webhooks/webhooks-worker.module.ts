import { Module } from '@nestjs/common';
import { WebhooksDataModule } from './webhooks-data.module';
import { WebhookSender } from './webhook-sender.service';

/** The worker's side of webhooks: sending the deliveries that are due. */
@Module({ imports: [WebhooksDataModule], providers: [WebhookSender] })
export class WebhooksWorkerModule {}
