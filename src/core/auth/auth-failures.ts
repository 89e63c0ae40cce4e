import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { TooManyAuthFailuresError } from '../errors/domain-errors';

const WINDOW_MS = 60_000;
/** Addresses remembered at most: a flood of new addresses cannot grow memory without bound. */
const MAX_ADDRESSES = 100_000;

/**
 * Slows down guessing of the admin token, the metrics token and the Backup Manager password:
 * each failed authentication is logged with the client's address (never what it sent), and an
 * address with AUTH_FAILURES_PER_MINUTE failures in the last minute is answered 429 with
 * `Retry-After` until the oldest of them is a minute old, whatever it sends. Other addresses
 * are not affected. The count is this process's: behind several API processes an address gets
 * that many per process.
 */
@Injectable()
export class AuthFailures {
  private readonly logger = new Logger('Auth');
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Throws TooManyAuthFailuresError when the request's address is held back. */
  checkAllowed(req: Request): void {
    const address = clientAddress(req);
    const recent = this.recent(address);
    if (recent.length < this.config.authFailuresPerMinute) return;
    const wait = Math.max(
      1,
      Math.ceil((recent[0] + WINDOW_MS - this.clock.now().getTime()) / 1000),
    );
    this.logger.warn({
      msg: 'authentication refused: too many failures from this address',
      address,
      retryAfterSeconds: wait,
      method: req.method,
      path: req.path,
    });
    throw new TooManyAuthFailuresError(wait);
  }

  /** Records and logs a failed authentication of `what` (e.g. the admin token). */
  failed(req: Request, what: string): void {
    const address = clientAddress(req);
    const recent = this.recent(address);
    recent.push(this.clock.now().getTime());
    this.failures.delete(address); // re-inserted last: the map stays ordered oldest first
    this.failures.set(address, recent);
    if (this.failures.size > MAX_ADDRESSES) {
      this.failures.delete(this.failures.keys().next().value!);
    }
    this.logger.warn({
      msg: 'authentication failed',
      what,
      address,
      failures: recent.length,
      method: req.method,
      path: req.path,
    });
  }

  private recent(address: string): number[] {
    const since = this.clock.now().getTime() - WINDOW_MS;
    const kept = (this.failures.get(address) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.failures.delete(address);
    else this.failures.set(address, kept);
    return kept;
  }
}

/** The address the request came from, as the socket saw it. */
function clientAddress(req: Request): string {
  return req.socket?.remoteAddress ?? req.ip ?? 'unknown';
}
