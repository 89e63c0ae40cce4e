import type { AccessToken } from '../../generated/prisma/client';

export interface TokenResponse {
  id: string;
  name: string;
  instances: string[];
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** What an operator may see of a token: never the token nor its hash. */
export function toTokenResponse(t: AccessToken): TokenResponse {
  return {
    id: t.id,
    name: t.name,
    instances: t.instances,
    expires_at: t.expiresAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
    created_at: t.createdAt.toISOString(),
  };
}
