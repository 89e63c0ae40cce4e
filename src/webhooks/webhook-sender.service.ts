import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { AppConfig } from '../core/config/app-config';
import type { AddressPolicy } from '../core/network/address-policy';
import {
  DestinationRefusedError,
  policyLookup,
  refusal,
} from '../core/network/allowed-destination';
import { SecretBox } from '../core/secrets/secret-box';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { webhookSecretContext } from './webhooks.service';
import { AttemptOutcome, DueDelivery, WebhooksRepository } from './webhooks.repository';

/** Deliveries one worker sends at once; a receiver that hangs holds only its own. */
const MAX_IN_FLIGHT = 16;
/** After this long from the event, a delivery that never succeeded is given up. */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** The longest wait between two attempts. */
const MAX_RETRY_MS = 3600_000;

/**
 * The worker's side of webhooks: it takes due deliveries from the database (queued there by the
 * database itself when a backup or restore ends), signs and POSTs them, and records each attempt.
 * A delivery that fails is due again after WEBHOOK_RETRY_BASE_MS, doubling up to an hour, until
 * a day after the event. Jobs never wait for any of it: deliveries run on their own timer.
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly deliveries: WebhooksRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    // an attempt cut short is not recorded: its lock runs out and it is sent again
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const room = MAX_IN_FLIGHT - this.inFlight.size;
      const due =
        room > 0 ? await this.deliveries.claimDue(room, this.config.webhookTimeoutMs + 30_000) : [];
      this.failing = false;
      for (const delivery of due) {
        const sending = this.send(delivery).finally(() => this.inFlight.delete(sending));
        this.inFlight.add(sending);
      }
    } catch (err) {
      if (!this.failing) {
        this.logger.warn({
          msg: 'could not read the webhook deliveries that are due',
          error: (err as Error).message,
        });
      }
      this.failing = true;
    }
    this.schedule(this.config.webhookPollMs);
  }

  private async send(delivery: DueDelivery): Promise<void> {
    const started = Date.now();
    let outcome: AttemptOutcome;
    try {
      const secret = this.box.open(delivery.secret, webhookSecretContext(delivery.webhookId));
      const status = await post(
        new URL(delivery.url),
        {
          'Content-Type': 'application/json',
          'User-Agent': 'backup-manager-webhooks',
          'Backup-Manager-Event': delivery.event,
          'Backup-Manager-Delivery': delivery.id,
          [SIGNATURE_HEADER]: signatureHeader(
            secret,
            delivery.payload,
            Math.floor(Date.now() / 1000),
          ),
        },
        delivery.payload,
        AbortSignal.any([AbortSignal.timeout(this.config.webhookTimeoutMs), this.stopping.signal]),
        this.config.webhookAllowedHosts,
      );
      const ok = status >= 200 && status < 300;
      outcome = {
        statusCode: status,
        error: ok ? null : `the receiver answered ${status}`,
        durationMs: Date.now() - started,
      };
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      outcome = {
        statusCode: null,
        error: this.why(err as Error),
        durationMs: Date.now() - started,
      };
    }
    const delivered = outcome.error === null;
    const retryInMs = Math.min(
      this.config.webhookRetryBaseMs * 2 ** Math.min(delivery.attempts - 1, 30),
      MAX_RETRY_MS,
    );
    if (!delivered) {
      this.logger.warn({
        msg: 'webhook delivery attempt failed',
        deliveryId: delivery.id,
        webhookId: delivery.webhookId,
        event: delivery.event,
        attempt: delivery.attempts,
        error: outcome.error,
      });
    }
    await this.deliveries
      .recordAttempt(delivery.id, outcome, delivered, retryInMs, GIVE_UP_AFTER_MS)
      .catch((err: Error) =>
        this.logger.warn({
          msg: 'could not record a webhook delivery attempt',
          deliveryId: delivery.id,
          error: err.message,
        }),
      );
  }

  /**
   * Why an attempt got no answer, without the URL (it may carry a token of the receiver's) and
   * without the network's own error: a refused connection, a reset and an unknown host all read
   * "could not connect", so that the deliveries list is no port scanner.
   */
  private why(err: Error): string {
    if (err.name === 'TimeoutError') {
      return `no answer within ${this.config.webhookTimeoutMs} ms (WEBHOOK_TIMEOUT_MS)`;
    }
    if (err instanceof DestinationRefusedError) return `not sent: ${err.message}`;
    return 'could not connect';
  }
}

/**
 * POSTs `body` to `url` and resolves to the answer's status (its body is not read). A host
 * name connects only to an address the policy allows (policyLookup); an address in the URL is
 * checked here, for no lookup happens for it.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  policy: AddressPolicy,
): Promise<number> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !policy.allowsAddress(host)) {
    return Promise.reject(new DestinationRefusedError(refusal(host, null, policy)));
  }
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        signal,
        lookup: policyLookup(policy),
      },
      (res) => {
        res.resume(); // the answer's body is not kept
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('error', (err: Error) =>
      // an abort by the timeout says so by its reason
      reject(signal.aborted ? (signal.reason as Error) : err),
    );
    req.end(body);
  });
}
