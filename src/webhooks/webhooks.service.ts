import { AppConfig } from '../core/config/app-config';
import { destinationProblem } from '../core/network/allowed-destination';
import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InvalidParametersError, NotFoundError } from '../core/errors/domain-errors';
import { SecretBox } from '../core/secrets/secret-box';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import {
  CreatedWebhookResponse,
  DeliveryResponse,
  WebhookResponse,
  toDeliveryResponse,
  toWebhookResponse,
} from './dto/webhook.response';
import { WebhooksRepository } from './webhooks.repository';

export const webhookNotFound = (id: string) =>
  new NotFoundError(`No webhook with id "${id}" exists.`);

/** The context that binds a webhook's sealed secret to its row. */
export const webhookSecretContext = (id: string) => `webhook-secret:${id}`;

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  async create(dto: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    const problem = urlProblem(dto.url);
    if (problem) throw new InvalidParametersError(problem);
    // checked again against the address each delivery connects to (the sender's lookup)
    const refused = await destinationProblem(new URL(dto.url), this.config.webhookAllowedHosts);
    if (refused) throw new InvalidParametersError(`url: ${refused}.`);
    const id = randomUUID();
    const secret = dto.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const webhook = await this.webhooks.create(id, {
      url: dto.url,
      events: dto.events,
      secret: this.box.seal(secret, webhookSecretContext(id)),
    });
    this.logger.log({ msg: 'webhook created', webhookId: id, events: dto.events });
    const response: CreatedWebhookResponse = toWebhookResponse(webhook);
    if (dto.secret === undefined) response.secret = secret;
    return response;
  }

  async list(): Promise<WebhookResponse[]> {
    return (await this.webhooks.list()).map(toWebhookResponse);
  }

  async show(id: string): Promise<WebhookResponse> {
    const webhook = await this.webhooks.find(id);
    if (!webhook) throw webhookNotFound(id);
    return toWebhookResponse(webhook);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.webhooks.delete(id))) throw webhookNotFound(id);
    this.logger.log({ msg: 'webhook deleted', webhookId: id });
  }

  /** Queues a signed `ping` to the webhook's receiver; 404 for an unknown webhook. */
  async ping(id: string): Promise<DeliveryResponse> {
    if (!(await this.webhooks.find(id))) throw webhookNotFound(id);
    const delivery = await this.webhooks.queuePing(id, new Date());
    this.logger.log({ msg: 'webhook ping queued', webhookId: id, deliveryId: delivery.id });
    return toDeliveryResponse(delivery);
  }

  async deliveries(id: string, limit: number): Promise<DeliveryResponse[]> {
    if (!(await this.webhooks.find(id))) throw webhookNotFound(id);
    return (await this.webhooks.deliveries(id, limit)).map(toDeliveryResponse);
  }
}

function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url is not a valid URL.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'url must start with https:// or http://.';
  }
  if (url.username || url.password) {
    return 'url may hold no user name or password: each delivery is signed with the secret instead.';
  }
  return null;
}
