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

  /** Revokes a token (keeping the first revocation time); false when there is no such token. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.accessToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: at },
    });
    return count > 0 || (await this.prisma.accessToken.count({ where: { id } })) > 0;
  }
}
