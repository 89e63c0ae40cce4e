import {
  CanActivate,
  ExecutionContext,
  Injectable,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { PUBLIC_AUTH } from '../core/openapi/api-errors';
import type { Request } from 'express';
import { Clock } from '../core/clock/clock';
import { hashToken } from '../tokens/token-secret';
import { grants, tokenUsable } from '../tokens/tokens.service';
import { AccessRepository, AccessedInstance } from './access.repository';
import {
  ForbiddenError,
  InstanceNotFoundError,
  UnauthorizedError,
} from '../core/errors/domain-errors';
import { bearerToken } from '../core/auth/bearer';
import { setActor } from '../core/auth/actor';

type InstanceRequest = Request & { instance?: AccessedInstance; grantedInstances?: string[] };

/**
 * Guards every `/v1/instances/:instance_id/…` route, deciding in this order:
 * 401 no valid token, 403 token not granted this instance, 404 no such (registered) instance.
 * The instance it found is handed to the handler through @CurrentInstance().
 */
@Injectable()
export class InstanceAccessGuard implements CanActivate {
  constructor(
    private readonly access: AccessRepository,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<InstanceRequest>();
    const secret = bearerToken(req);
    if (secret === null) {
      throw new UnauthorizedError(
        'Missing or malformed Authorization header; expected "Bearer <token>".',
      );
    }
    const instanceId = String(req.params.instance_id);
    // the token and the instance in one query
    const access = await this.access.resolve(hashToken(secret), instanceId);
    if (!access || !tokenUsable(access.token, this.clock.now())) {
      throw new UnauthorizedError('The access token is unknown, revoked or expired.');
    }
    setActor(req, { kind: 'token', tokenId: access.token.id, tokenName: access.token.name });
    if (!grants(access.token, instanceId)) {
      throw new ForbiddenError(
        `This access token is not granted access to instance "${instanceId}".`,
      );
    }
    if (!access.instance) throw new InstanceNotFoundError(instanceId);
    req.instance = access.instance;
    req.grantedInstances = access.token.instances;
    return true;
  }
}

/** The instance that InstanceAccessGuard resolved for this request. */
export const CurrentInstance = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AccessedInstance => {
    const instance = ctx.switchToHttp().getRequest<InstanceRequest>().instance;
    if (!instance) throw new Error('CurrentInstance used on a route without InstanceAccessGuard');
    return instance;
  },
);

/** The instance ids (or ["*"]) the request's token is granted, for a route that names another. */
export const TokenGrants = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string[] => {
    const grants = ctx.switchToHttp().getRequest<InstanceRequest>().grantedInstances;
    if (!grants) throw new Error('TokenGrants used on a route without InstanceAccessGuard');
    return grants;
  },
);

/**
 * The OpenAPI face of a `/v1/instances/:instance_id/…` controller: the access token and the
 * instance id, with the guard's 401/403/404 on every route.
 */
export const ApiInstanceRoutes = (tag: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(PUBLIC_AUTH),
    ApiParam({
      name: 'instance_id',
      description: 'The ID of a previously provisioned Service Instance.',
    }),
  );

/** The `:id` of a backup or restore within its instance. */
export const ApiNumberParam = (what: string) =>
  ApiParam({
    name: 'id',
    description: `The ID of the ${what} within the Service Instance (1, 2, 3…).`,
    schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
  });
