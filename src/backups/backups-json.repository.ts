import { Injectable } from '@nestjs/common';
import { queryPool } from '../core/prisma/prisma-errors';
import { PrismaService } from '../core/prisma/prisma.service';
import type { Page } from '../core/validation/paging';

/** How PostgreSQL writes a timestamp as `Date.prototype.toISOString` does. */
const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The public backup objects (BackupResponse: the a9s fields in their order, then
 * `failure_reason` on a failed one), written as JSON by PostgreSQL. The list and show are the
 * hottest reads, and a list of 1,000 backups costs a few milliseconds this way instead of tens
 * (no client-side row decoding, no objects, no JSON.stringify; plain concatenation, which
 * PostgreSQL does faster than row_to_json). `downloadable` is the rule of
 * whyNotDownloadable() in SQL; a test holds the two to the same cases.
 */
const BACKUP_JSON = `
  SELECT b.number,
    '{"id":' || b.number
    || ',"backup_id":' || to_json(b.backup_id)::text
    || ',"size":' || b.size
    || ',"status":"' || b.status::text
    || '","triggered_at":"' || ${ISO('b.triggered_at')}
    || '","started_at":' || coalesce('"' || ${ISO('b.started_at')} || '"', 'null')
    || ',"finished_at":' || coalesce('"' || ${ISO('b.finished_at')} || '"', 'null')
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
