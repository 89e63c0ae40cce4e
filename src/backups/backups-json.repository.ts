import { Injectable } from '@nestjs/common';
import { queryPool } from '../core/prisma/query-pool';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Page } from '../core/validation/paging';
import { BACKUP_JSON_TAIL_SQL } from './backup-json.sql';

/**
 * The public backup objects (BACKUP_FIELDS) as JSON text: the row's stored head and the rest
 * appended, as backup-json.sql.ts generates them from the one field list.
 */
const BACKUP_JSON = `
  SELECT b.number,
    b.json_head
    || ${BACKUP_JSON_TAIL_SQL} AS json
  FROM backups b
  JOIN encryption_keys k ON k.id = b.encryption_key_id
  WHERE b.instance_id = $1`;

const LIST = `${BACKUP_JSON}
    AND ($3::int IS NULL OR b.number < $3::int)
  ORDER BY b.number DESC
  LIMIT $4::int`;

const ONE = `${BACKUP_JSON} AND b.number = $3::int`;

@Injectable()
export class BackupsJson {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The instance's backups newest first as a JSON array: all of them, or a page of `limit`,
   * with the id to continue before when older ones exist beyond it. Rows are joined here:
   * PostgreSQL's string_agg over a thousand of them costs it more than the join costs Node.
   */
  async list(
    instanceId: string,
    downloadsEnabled: boolean,
    page: Page = {},
  ): Promise<{ json: string; nextBefore?: number }> {
    const rows = await queryPool<{ number: number; json: string }>(this.prisma.pool, LIST, [
      instanceId,
      downloadsEnabled,
      page.before ?? null,
      // one more than the page, to learn whether older backups exist beyond it
      page.limit === undefined ? null : page.limit + 1,
    ]);
    const more = page.limit !== undefined && rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    return {
      json: `[${shown.map((r) => r.json).join(',')}]`,
      nextBefore: more ? shown[shown.length - 1].number : undefined,
    };
  }

  /** One backup as JSON text, or null. */
  async one(instanceId: string, downloadsEnabled: boolean, number: number): Promise<string | null> {
    const rows = await queryPool<{ json: string }>(this.prisma.pool, ONE, [
      instanceId,
      downloadsEnabled,
      number,
    ]);
    return rows[0]?.json ?? null;
  }
}
