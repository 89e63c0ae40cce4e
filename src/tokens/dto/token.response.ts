import { ApiProperty } from '@nestjs/swagger';
import type { AccessToken } from '../../generated/prisma/client';

export class TokenResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: [String], description: 'Instance ids, or ["*"] for every instance.' })
  instances!: string[];

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  expires_at!: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  revoked_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

/** A freshly minted token: the only time its secret is shown. */
export class CreatedTokenResponse extends TokenResponse {
  @ApiProperty({ description: 'The bearer token; shown once, stored only as a hash.' })
  token!: string;
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
