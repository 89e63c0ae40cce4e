-- AlterTable
ALTER TABLE "backups" ADD COLUMN     "json_head" TEXT NOT NULL DEFAULT '';

-- The public JSON object of a backup (docs/public-api.md, BackupResponse) from `{"id":` up to
-- and including `"finished_at":…`, kept in the row so that listing a thousand backups reads
-- text instead of formatting three thousand timestamps on every request. The query adds
-- `downloadable` (it depends on the settings of the API and on the key), `failure_reason` and the `}`.
-- Timestamps are written as Date.prototype.toISOString writes them. A change to this format
-- is a new migration that replaces the function and re-renders every row.
CREATE FUNCTION "backup_json_head"(b "backups") RETURNS text LANGUAGE sql STABLE AS $$
  SELECT '{"id":' || b.number
    || ',"backup_id":' || to_json(b.backup_id)::text
    || ',"size":' || b.size
    || ',"status":"' || b.status::text
    || '","triggered_at":"'
    || to_char(b.triggered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'
    || ',"started_at":' || coalesce(
         '"' || to_char(b.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"',
         'null')
    || ',"finished_at":' || coalesce(
         '"' || to_char(b.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"',
         'null')
$$;

-- Written by the database on every insert and on every update of a field it shows, whoever
-- writes (the API, the worker, the SQL of the retention pass), and a heartbeat does not re-render it.
-- The function body is an E'' string with every semicolon written as \073: the migration
-- runner splits the file at each semicolon, even inside quotes, and a lone quote in a comment
-- breaks its reading of the rest.
CREATE FUNCTION "backups_render_json_head"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  NEW.json_head := backup_json_head(NEW)\073
  RETURN NEW\073
END';
CREATE TRIGGER "backups_json_head"
  BEFORE INSERT OR UPDATE OF number, backup_id, size, status, triggered_at, started_at, finished_at, json_head
  ON "backups" FOR EACH ROW EXECUTE FUNCTION "backups_render_json_head"();

UPDATE "backups" SET "json_head" = backup_json_head("backups");
