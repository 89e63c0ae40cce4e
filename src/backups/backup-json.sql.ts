import { BACKUP_FIELDS, BackupField } from './dto/backup.response';

/**
 * The SQL that renders the public backup object, generated from BACKUP_FIELDS. The list and
 * the show are the hottest reads: the database keeps each backup's leading fields rendered in
 * its row (`json_head`, written by the trigger below whenever one of their columns changes), and
 * the read appends the rest, so a list of 1,000 backups is read and concatenated, never decoded
 * into objects or serialized (a pruned backup's head, which says `deleted`, is rendered by the
 * view `backups` as it is read: a pass does not rewrite its row). Times are written as
 * Date.prototype.toISOString writes them.
 */

const STORED = BACKUP_FIELDS.filter((f) => f.stored);
const AT_READ = BACKUP_FIELDS.filter((f) => !f.stored);
if (BACKUP_FIELDS.findIndex((f) => !f.stored) < STORED.length) {
  throw new Error('BACKUP_FIELDS: the stored fields must come first');
}

/**
 * A time as Date.prototype.toISOString writes it: the body of the database's `api_time`, written
 * out here because a call of that SQL function costs about a microsecond per value, and the
 * stored head renders three times per row (on every insert and every update of a shown field).
 */
function apiTimeSql(v: string): string {
  return `to_char(${v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * SQL expressions that stand in for columns of `b`: a pruned backup's head is its own head with
 * the status `deleted` and the time of its pruning as `finished_at`.
 */
type ColumnOverrides = Readonly<Record<string, string>>;

/** A field's value as JSON text, in SQL. */
function valueSql(f: BackupField, overrides: ColumnOverrides = {}): string {
  const v = f.column ? (overrides[f.column] ?? `b.${f.column}`) : `(${f.sql})`;
  switch (f.kind) {
    case 'integer':
      return `${v}::text`;
    case 'string':
      return `to_json(${v})::text`;
    case 'status':
      return `'"' || ${v}::text || '"'`;
    case 'time':
      return `'"' || ${apiTimeSql(v)} || '"'`;
    case 'time or null':
      return `coalesce('"' || ${apiTimeSql(v)} || '"', 'null')`;
    case 'boolean':
      return `${v}::text`;
  }
}

/** `"name":value` (after a comma unless it opens the object), or '' when it is absent. */
function memberSql(f: BackupField, first: boolean, overrides: ColumnOverrides = {}): string {
  const member = `'${first ? '{' : ','}"${f.name}":' || ${valueSql(f, overrides)}`;
  return f.presentWhen ? `CASE WHEN ${f.presentWhen} THEN ${member} ELSE '' END` : member;
}

/** The body of `backup_json_head(b backup_rows)`: the stored fields, from `{` on. */
export const BACKUP_JSON_HEAD_SQL = headSql();

/**
 * The body of `backup_json_head_pruned(b backup_rows, pruned_at timestamptz)`: the head of a
 * backup pruned at `pruned_at`, as the view `backups` shows it.
 */
export const BACKUP_JSON_HEAD_PRUNED_SQL = headSql({
  status: `'deleted'`,
  finished_at: 'pruned_at',
});

function headSql(overrides: ColumnOverrides = {}): string {
  return `SELECT ${STORED.map((f, i) => memberSql(f, i === 0, overrides)).join('\n    || ')}`;
}

/** The columns whose change re-renders `json_head`. */
export const BACKUP_JSON_HEAD_COLUMNS = STORED.map((f) => f.column!);

/**
 * What a read appends to `b.json_head` (aliases: `b` the backup, `k` its encryption key; `$2`
 * whether downloads are enabled): the remaining fields and the closing `}`.
 */
export const BACKUP_JSON_TAIL_SQL = `${AT_READ.map((f) => memberSql(f, false)).join('\n    || ')}
    || '}'`;
