import { Injectable } from '@nestjs/common';
import { queryPool } from '../core/prisma/query-pool';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Page } from '../core/validation/paging';

/**
 * The public backup objects (BackupResponse: the a9s fields in their order, then
 * `failure_reason` on a failed one) as JSON text. The list and show are the hottest reads: the
 * database keeps each backup's object up to `finished_at` in the row (`json_head`, rendered by
 * the migration's `backup_json_head` whenever those fields change), and this query only
 * appends the rest, so a list of 1,000 backups is read and concatenated, never decoded into
 * objects or serialized. `downloadable` is the rule of whyNotDownloadable() in SQL; a test
 * holds the two to the same cases.
 */
const BACKUP_JSON = `
  SELECT b.number,
    b.json_head
    || ',"downloadable":' || ($2::boolean AND b.status = 'done' AND k.origin = 'user')::text
    || CASE WHEN b.status = 'failed' AND b.failure_reason IS NOT NULL
            THEN ',"failure_reason":' || to_json(b.failure_reason)::text ELSE '' END
    || '}' AS json
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
