import { Module } from '@nestjs/common';
import { WebhooksDataModule } from './webhooks-data.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The admin routes of webhooks, in the API process. */
@Module({
  imports: [WebhooksDataModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}
