import { InvalidParametersError } from '../core/errors/domain-errors';
import type { AccessToken } from '../generated/prisma/client';
import type { InstancesRepository } from '../instances/instances.repository';
import { hashToken } from './token-secret';
import type { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

const NOW = new Date('2026-11-30T12:00:00Z');

/** The service over an in-memory token table and a registry of two instances. */
function service(now = NOW) {
  const rows: AccessToken[] = [];
  const tokens = {
    create: (data: Omit<AccessToken, 'id' | 'revokedAt' | 'createdAt'>) => {
      const row = { ...data, id: `id-${rows.length}`, revokedAt: null, createdAt: now };
      rows.push(row);
      return Promise.resolve(row);
    },
    findByHash: (h: string) => Promise.resolve(rows.find((r) => r.tokenHash === h) ?? null),
  } as unknown as TokensRepository;
  const instances = {
    findRegisteredIds: (ids: string[]) =>
      Promise.resolve(new Set(ids.filter((id) => ['a', 'b'].includes(id)))),
  } as unknown as InstancesRepository;
  const clock = { now: () => now };
  return { svc: new TokensService(tokens, instances, clock), rows, clock };
}

describe('TokensService', () => {
  it('mints a token that is shown once and stored only as its hash, and that authenticates', async () => {
    const { svc, rows } = service();
    const minted = await svc.create({ name: 'team', instances: ['a', 'a', 'b'] });
    expect(minted.token).toMatch(/^bmt_[A-Za-z0-9_-]{43}$/);
    expect(minted.instances).toEqual(['a', 'b']);
    expect(JSON.stringify(rows)).not.toContain(minted.token);
    expect(rows[0].tokenHash).toBe(hashToken(minted.token));
    expect((await svc.authenticate(minted.token))?.id).toBe(minted.id);
    expect(await svc.authenticate(`${minted.token}x`)).toBeNull();
  });

  it.each([
    ['a wildcard mixed with ids', { instances: ['*', 'a'] }, /either/],
    ['an instance that is not registered', { instances: ['a', 'nope'] }, /"nope"/],
    ['an expiry in the past', { instances: ['*'], expires_at: '2020-01-01T00:00:00Z' }, /future/],
    ['an expiry that is not a date', { instances: ['*'], expires_at: 'soon' }, /future/],
  ])('refuses %s with 422', async (_what, dto, message) => {
    const { svc, rows } = service();
    await expect(svc.create({ name: 'x', ...dto })).rejects.toThrow(InvalidParametersError);
    await expect(svc.create({ name: 'x', ...dto })).rejects.toThrow(message);
    expect(rows).toHaveLength(0);
  });

  it('does not authenticate a revoked token, nor one past its expiry', async () => {
    const { svc, rows, clock } = service();
    const revoked = await svc.create({ name: 'r', instances: ['*'] });
    rows[0].revokedAt = NOW;
    expect(await svc.authenticate(revoked.token)).toBeNull();

    const expiring = await svc.create({
      name: 'e',
      instances: ['*'],
      expires_at: new Date(NOW.getTime() + 1000).toISOString(),
    });
    expect(await svc.authenticate(expiring.token)).not.toBeNull();
    clock.now = () => new Date(NOW.getTime() + 1000);
    expect(await svc.authenticate(expiring.token)).toBeNull();
  });
});
