import type { ExecutionContext } from '@nestjs/common';
import type { AccessToken } from '../generated/prisma/client';
import type { Clock } from '../core/clock/clock';
import { hashToken } from '../tokens/token-secret';
import {
  ForbiddenError,
  InstanceNotFoundError,
  UnauthorizedError,
} from '../core/errors/domain-errors';
import type { AccessRepository, AccessedInstance } from './access.repository';
import { InstanceAccessGuard } from './instance-access.guard';

const NOW = new Date('2026-11-30T12:00:00Z');
type Token = Pick<AccessToken, 'instances' | 'expiresAt' | 'revokedAt'>;
const token = (instances: string[], more: Partial<Token> = {}): Token => ({
  instances,
  expiresAt: null,
  revokedAt: null,
  ...more,
});
const instance = { id: 'inst-1' } as AccessedInstance;

/** The guard over a token store and an instance registry in memory, keyed by token hash. */
function guard(tokens: Record<string, Token>, instances: AccessedInstance[]) {
  const byHash = new Map(Object.entries(tokens).map(([secret, t]) => [hashToken(secret), t]));
  const access = {
    resolve: (hash: string, instanceId: string) => {
      const t = byHash.get(hash);
      return Promise.resolve(
        t ? { token: t, instance: instances.find((i) => i.id === instanceId) ?? null } : null,
      );
    },
  } as unknown as AccessRepository;
  const clock: Clock = { now: () => NOW };
  return new InstanceAccessGuard(access, clock);
}

function request(authorization: string | undefined, instanceId: string) {
  const req = { headers: { authorization }, params: { instance_id: instanceId } } as {
    headers: Record<string, string | undefined>;
    params: Record<string, string>;
    instance?: AccessedInstance;
  };
  const ctx = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { req, ctx };
}

describe('InstanceAccessGuard decides 401, then 403, then 404', () => {
  const g = guard(
    {
      good: token(['inst-1', 'gone']),
      star: token(['*']),
      revoked: token(['inst-1'], { revokedAt: new Date('2026-11-01T00:00:00Z') }),
      expired: token(['inst-1'], { expiresAt: NOW }),
    },
    [instance],
  );

  it.each([
    ['no header', undefined, 'inst-1', UnauthorizedError],
    ['another scheme', 'Basic Z29vZA==', 'inst-1', UnauthorizedError],
    ['an unknown token, even for an unknown instance', 'Bearer nope', 'missing', UnauthorizedError],
    ['a revoked token', 'Bearer revoked', 'inst-1', UnauthorizedError],
    ['a token that expired this instant', 'Bearer expired', 'inst-1', UnauthorizedError],
    [
      'a token not granted the instance, even an unknown one',
      'Bearer good',
      'other',
      ForbiddenError,
    ],
    ['a granted token on an instance that is gone', 'Bearer good', 'gone', InstanceNotFoundError],
    [
      'a wildcard token on an instance that does not exist',
      'bearer star',
      'missing',
      InstanceNotFoundError,
    ],
  ])('%s', async (_what, header, instanceId, error) => {
    const { ctx } = request(header, instanceId);
    await expect(g.canActivate(ctx)).rejects.toBeInstanceOf(error);
  });

  it('lets a granted token through and hands the instance on (scheme in any case)', async () => {
    for (const header of ['Bearer good', 'bearer star', 'BEARER good']) {
      const { req, ctx } = request(header, 'inst-1');
      await expect(g.canActivate(ctx)).resolves.toBe(true);
      expect(req.instance).toBe(instance);
    }
  });
});
