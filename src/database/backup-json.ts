import { BACKUP_JSON_HEAD_PRUNED_SQL, BACKUP_JSON_HEAD_SQL } from '../backups/backup-json.sql';
import { DatabaseFunction } from './definition';

/**
 * The functions that render the public backup object's stored head, generated from
 * BACKUP_FIELDS (src/backups/dto/backup.response.ts): change a field there and
 * `npm run db:migration` redefines them and renders the stored heads anew.
 */
export const BACKUP_JSON_FUNCTIONS: readonly DatabaseFunction[] = [
  {
    kind: 'function',
    name: 'backup_json_head(backup_rows)',
    sql: `-- The public backup object up to its last stored field, kept in the row (json_head) so that a
-- list of a thousand backups reads text instead of formatting three thousand timestamps.
CREATE OR REPLACE FUNCTION backup_json_head(b "backup_rows") RETURNS text LANGUAGE sql STABLE AS $$
  ${BACKUP_JSON_HEAD_SQL}
$$;`,
    then: 'UPDATE "backup_rows" SET "json_head" = backup_json_head("backup_rows");',
  },
  {
    kind: 'function',
    name: 'backup_json_head_pruned(backup_rows,timestamp with time zone)',
    sql: `-- A pruned backup's head, as the view \`backups\` shows it: the status \`deleted\`, finished when
-- it was pruned. The view calls it for pruned rows only: a read of live rows pays nothing for it.
CREATE OR REPLACE FUNCTION backup_json_head_pruned(b "backup_rows", pruned_at timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
  ${BACKUP_JSON_HEAD_PRUNED_SQL}
$$;`,
  },
  {
    kind: 'function',
    name: 'backups_render_json_head()',
    sql: `-- Written by the database on every insert and on every update of a column it shows, whoever
-- writes (the API, the worker, the retention pass); a heartbeat does not re-render it.
CREATE OR REPLACE FUNCTION backups_render_json_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.json_head := backup_json_head(NEW);
  RETURN NEW;
END
$$;`,
  },
];
