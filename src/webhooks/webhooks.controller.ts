import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { MAX_PAGE, parsePage } from '../core/validation/paging';
import { UuidPipe } from '../core/validation/uuid';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { CreatedWebhookResponse, DeliveryResponse, WebhookResponse } from './dto/webhook.response';
import { WebhooksService, webhookNotFound } from './webhooks.service';

/** Deliveries listed at once when no `limit` is given. */
const DELIVERIES_PAGE = 100;

@Controller('admin/v1/webhooks')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a webhook: signed notifications of backups and restores that ended',
    description:
      'Each event is POSTed as JSON with `Backup-Manager-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`, by a worker, with a timeout, and retried with back-off for a day until the receiver answers 2xx.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiErrors(401, 422, 503)
  create(@Body() dto: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    return this.webhooks.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the webhooks (never their secrets)' })
  @ApiOkResponse({ type: [WebhookResponse] })
  @ApiErrors(401, 503)
  list(): Promise<WebhookResponse[]> {
    return this.webhooks.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show a webhook (never its secret)' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(401, 404, 503)
  show(@Param('id', new UuidPipe(webhookNotFound)) id: string): Promise<WebhookResponse> {
    return this.webhooks.show(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook; its pending deliveries are not sent' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiErrors(401, 404, 503)
  async delete(@Param('id', new UuidPipe(webhookNotFound)) id: string): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Post(':id/ping')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a signed `ping` to the webhook’s receiver, to see it answer',
    description:
      'Queued and sent by a worker as any delivery is (signed, with the timeout, retried until the receiver answers 2xx); its outcome is listed in the webhook’s deliveries. The body: `{"id", "event": "ping", "created_at", "data": {"webhook_id"}}`.',
  })
  @ApiAcceptedResponse({ type: DeliveryResponse })
  @ApiErrors(401, 404, 503)
  ping(@Param('id', new UuidPipe(webhookNotFound)) id: string): Promise<DeliveryResponse> {
    return this.webhooks.ping(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'A webhook’s deliveries, newest first, each with its attempts',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DELIVERIES_PAGE },
  })
  @ApiOkResponse({ type: [DeliveryResponse] })
  @ApiErrors(401, 404, 422, 503)
  deliveries(
    @Param('id', new UuidPipe(webhookNotFound)) id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<DeliveryResponse[]> {
    const { limit } = parsePage({ limit: query.limit });
    return this.webhooks.deliveries(id, limit ?? DELIVERIES_PAGE);
  }
}
