import { Module } from '@nestjs/common';
import { WebhooksRepository } from './webhooks.repository';

/** The webhooks' records: one provider of the repository for the API's and the worker's modules. */
@Module({ providers: [WebhooksRepository], exports: [WebhooksRepository] })
export class WebhooksDataModule {}
