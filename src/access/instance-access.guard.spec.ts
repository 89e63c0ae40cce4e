import type { ExecutionContext } from '@nestjs/common';
import type { AccessToken, Instance } from '../generated/prisma/client';
import type { InstancesRepository } from '../instances/instances.repository';
import type { TokensService } from '../tokens/tokens.service';
import {
  ForbiddenError,
  InstanceNotFoundError,
  UnauthorizedError,
} from '../core/errors/domain-errors';
import { InstanceAccessGuard } from './instance-access.guard';

const token = (instances: string[]): AccessToken =>
  ({
    id: 't',
    name: 't',
    tokenHash: 'h',
    instances,
    expiresAt: null,
    revokedAt: null,
  }) as AccessToken;
const instance = { id: 'inst-1' } as Instance;

/** The guard with a token store and an instance registry in memory. */
function guard(tokens: Record<string, AccessToken>, instances: Instance[]) {
  const fakeTokens = { authenticate: (s: string) => Promise.resolve(tokens[s] ?? null) };
  const fakeInstances = {
    findRegistered: (id: string) => Promise.resolve(instances.find((i) => i.id === id) ?? null),
  };
  return new InstanceAccessGuard(
    fakeTokens as unknown as TokensService,
    fakeInstances as unknown as InstancesRepository,
  );
}

function request(authorization: string | undefined, instanceId: string) {
  const req = { headers: { authorization }, params: { instance_id: instanceId } } as {
    headers: Record<string, string | undefined>;
    params: Record<string, string>;
    instance?: Instance;
  };
  const ctx = { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
  return { req, ctx };
}

describe('InstanceAccessGuard decides 401, then 403, then 404', () => {
  const g = guard({ good: token(['inst-1', 'gone']), star: token(['*']) }, [instance]);

  it.each([
    ['no header', undefined, 'inst-1', UnauthorizedError],
    ['another scheme', 'Basic Z29vZA==', 'inst-1', UnauthorizedError],
    ['an unknown token, even for an unknown instance', 'Bearer nope', 'missing', UnauthorizedError],
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
