import { Injectable } from '@nestjs/common';
import { Clock } from '../core/clock/clock';
import { InvalidParametersError, NotFoundError } from '../core/errors/domain-errors';
import { parseMoment } from '../core/validation/moment';
import type { AccessToken } from '../generated/prisma/client';
import { InstancesRepository } from '../instances/instances.repository';
import { CreateTokenDto, WILDCARD } from './dto/create-token.dto';
import { TokenResponse, toTokenResponse } from './dto/token.response';
import { generateToken, hashToken } from './token-secret';
import { TokensRepository } from './tokens.repository';

/** 404 for a token id that names no token (or cannot: not a UUID). */
export const tokenNotFound = (id: string) =>
  new NotFoundError(`No access token with id "${id}" exists.`);

@Injectable()
export class TokensService {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly instances: InstancesRepository,
    private readonly clock: Clock,
  ) {}

  /** Mints a token; the returned `token` is the only time it is ever shown. */
  async create(dto: CreateTokenDto): Promise<TokenResponse & { token: string }> {
    const instances = [...new Set(dto.instances)];
    if (instances.includes(WILDCARD) && instances.length > 1) {
      throw new InvalidParametersError(
        'instances must be either ["*"] or a list of instance ids, not both.',
      );
    }
    let expiresAt: Date | null = null;
    if (dto.expires_at !== undefined) {
      // the DTO accepted only the documented form; a caller that skipped it gets the 422 too
      expiresAt = parseMoment(dto.expires_at);
      if (!expiresAt || expiresAt <= this.clock.now()) {
        throw new InvalidParametersError('expires_at must be a date-time in the future.');
      }
    }
    if (!instances.includes(WILDCARD)) {
      const known = await this.instances.findRegisteredIds(instances);
      const unknown = instances.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new InvalidParametersError(
          `No registered instance has the id ${unknown.map((id) => `"${id}"`).join(', ')}.`,
        );
      }
    }
    const token = generateToken();
    const saved = await this.tokens.create({
      name: dto.name,
      tokenHash: hashToken(token),
      instances,
      expiresAt,
    });
    return { ...toTokenResponse(saved), token };
  }

  async list(): Promise<TokenResponse[]> {
    return (await this.tokens.list()).map(toTokenResponse);
  }

  async revoke(id: string): Promise<void> {
    const outcome = await this.tokens.revoke(id, this.clock.now());
    if (outcome === 'missing') throw tokenNotFound(id);
    // a second DELETE finds nothing left to delete
    if (outcome === 'already') {
      throw new NotFoundError(`The access token "${id}" was revoked already.`);
    }
  }

  /** The token behind a bearer secret, or null when it is unknown, revoked or expired. */
  async authenticate(secret: string): Promise<AccessToken | null> {
    const token = await this.tokens.findByHash(hashToken(secret));
    return token && tokenUsable(token, this.clock.now()) ? token : null;
  }
}

/** A token works until it is revoked or expires. */
export function tokenUsable(
  token: Pick<AccessToken, 'expiresAt' | 'revokedAt'>,
  now: Date,
): boolean {
  return !token.revokedAt && !(token.expiresAt && token.expiresAt <= now);
}

export function grants(token: Pick<AccessToken, 'instances'>, instanceId: string): boolean {
  return token.instances.includes(WILDCARD) || token.instances.includes(instanceId);
}
