import { Injectable } from '@nestjs/common';
import type { InstanceResponse } from '../instances/dto/instance.response';
import { queryPool } from '../core/prisma/query-pool';
import { PrismaService } from '../core/prisma/prisma.service';
import type { AccessToken, Instance } from '../generated/prisma/client';

/** What the public API's handlers know of the instance a request acts on. */
export type AccessedInstance = Pick<Instance, 'id' | 'name' | 'type' | 'backupType'>;

/** A bearer token's grants, and the registered instance the request names (null when none). */
export interface ResolvedAccess {
  token: Pick<AccessToken, 'id' | 'name' | 'instances' | 'expiresAt' | 'revokedAt'>;
  instance: AccessedInstance | null;
}

type Row = Omit<ResolvedAccess['token'], 'id' | 'name'> & {
  tokenId: string;
  tokenName: string;
  id: string | null;
  name: string | null;
  type: Instance['type'] | null;
  backupType: Instance['backupType'] | null;
};

@Injectable()
export class AccessRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The token with this hash and the registered instance `instanceId`, in one indexed query
   * (every public request runs it); null when no token has this hash. Nothing is cached, so a
   * revoked token is refused by every API process on its very next request.
   */
  async resolve(tokenHash: string, instanceId: string): Promise<ResolvedAccess | null> {
    // on the pool, not through Prisma's client: this runs before every public request
    const rows = await queryPool<Row>(
      this.prisma.pool,
      `SELECT t.id AS "tokenId", t.name AS "tokenName", t.instances, t.expires_at AS "expiresAt",
              t.revoked_at AS "revokedAt",
              i.id, i.name, i.type, i.backup_type AS "backupType"
       FROM access_tokens t
       LEFT JOIN instances i ON i.id = $2 AND i.deleted_at IS NULL
       WHERE t.token_hash = $1`,
      [tokenHash, instanceId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      token: {
        id: row.tokenId,
        name: row.tokenName,
        instances: row.instances,
        expiresAt: row.expiresAt,
        revokedAt: row.revokedAt,
      },
      instance:
        row.id === null
          ? null
          : { id: row.id, name: row.name!, type: row.type!, backupType: row.backupType! },
    };
  }

  /** The registered instances that a token granted `instances` (`*` = all) opens, by name. */
  granted(instances: string[]): Promise<InstanceResponse[]> {
    return queryPool<InstanceResponse>(
      this.prisma.pool,
      `SELECT id, name, type::text, backup_type::text, api_time(created_at) AS created_at
       FROM instances
       WHERE deleted_at IS NULL AND ('*' = ANY($1::text[]) OR id = ANY($1::text[]))
       ORDER BY name, id`,
      [instances],
    );
  }
}
