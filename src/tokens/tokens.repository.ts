import { Injectable } from '@nestjs/common';
import { PrismaService } from '../core/prisma/prisma.service';
import type { AccessToken } from '../generated/prisma/client';

@Injectable()
export class TokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: {
    name: string;
    tokenHash: string;
    instances: string[];
    expiresAt: Date | null;
  }): Promise<AccessToken> {
    return this.prisma.accessToken.create({ data });
  }

  findByHash(tokenHash: string): Promise<AccessToken | null> {
    return this.prisma.accessToken.findUnique({ where: { tokenHash } });
  }

  list(): Promise<AccessToken[]> {
    return this.prisma.accessToken.findMany({ orderBy: { createdAt: 'asc' } });
  }

  /**
   * Revokes a token: `revoked`, `already` when it was revoked before (its first revocation time
   * is kept), `missing` when there is no such token.
   */
  async revoke(id: string, at: Date): Promise<'revoked' | 'already' | 'missing'> {
    const { count } = await this.prisma.accessToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: at },
    });
    if (count > 0) return 'revoked';
    return (await this.prisma.accessToken.count({ where: { id } })) > 0 ? 'already' : 'missing';
  }
}
