import { DatabaseView } from './definition';
import { modelColumns } from './prisma-schema';

/**
 * The columns of `backups` that are not the row's own: a pruned backup (one with a pruning in
 * backup_prunings) is `deleted`, finished when it was pruned, and its JSON head says so.
 */
const PRUNED: Readonly<Record<string, string>> = {
  status: `CASE WHEN p."pruned_at" IS NULL THEN r."status" ELSE 'deleted'::"backup_status" END`,
  finished_at: `coalesce(p."pruned_at", r."finished_at")`,
  json_head: `CASE WHEN p."pruned_at" IS NULL THEN r."json_head"
            ELSE backup_json_head_pruned(r, p."pruned_at")
       END`,
};

/**
 * The view `backups` (Backup in the Prisma schema), generated from the columns of the table
 * `backup_rows` (BackupRow): every column of the table, in its order, with each backup's
 * pruning applied. A column added to BackupRow is in the view with the next migration
 * (`npm run db:migration`).
 */
export function backupsView(schema: string): DatabaseView {
  const columns = modelColumns(schema, 'BackupRow').map((c) =>
    PRUNED[c] ? `${PRUNED[c]} AS "${c}"` : `r."${c}"`,
  );
  return {
    kind: 'view',
    name: 'backups',
    sql: `-- A backup as every reader sees it: the table backup_rows (what happened to a backup up to its
-- end; writers write there) with the backup's pruning (backup_prunings) applied. Retention writes
-- one narrow row per pruned backup rather than rewriting the wide one.
CREATE VIEW "backups" AS
SELECT ${columns.join(',\n       ')},
       -- the status the row records, pruning aside: a read that filters on a status other than
       -- \`deleted\` names it too, and the filter then applies to the table before the join
       r."status" AS "recorded_status"
FROM "backup_rows" r
LEFT JOIN "backup_prunings" p ON p."backup_pk" = r."pk";`,
  };
}
