-- A retention pass that prunes half a million backups rewrote half a million wide rows (and
-- rendered each one's JSON head again through a trigger). Now pruning writes one narrow row per
-- backup into backup_prunings, and every read sees the backups through a view that applies them:
--   backup_rows      the table: what happened to a backup up to its end (writers write here)
--   backup_prunings  a backup's pruning (pruned_at), or, with pruned_at null, the mark of the
--                    restores that hold it (its key keeps any pruning out until they end)
--   backups          the view: the rows with their prunings applied (readers read here)
ALTER TABLE "backups" RENAME TO "backup_rows";

CREATE TABLE "backup_prunings" (
  "backup_pk" BIGINT NOT NULL,
  "pruned_at" TIMESTAMPTZ(3),
  CONSTRAINT "backup_prunings_pkey" PRIMARY KEY ("backup_pk")
);

-- A pruned backup's JSON head: its stored head (backup_json_head) with the status `deleted` and
-- the time it was pruned as finished_at. Text in, text out: the view calls it for pruned rows
-- only, and a read of live rows pays nothing for it. (backup_id is JSON-escaped in the head, so
-- the first `"status":"…"` is the status member.)
CREATE FUNCTION "backup_json_head_pruned"(head text, pruned_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT regexp_replace(
           regexp_replace(head, '"status":"[a-z]+"', '"status":"deleted"'),
           '"finished_at":(null|"[^"]*")',
           '"finished_at":"' || to_char(pruned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"')
$$;

-- What a reader sees: a pruned backup is `deleted`, finished when it was pruned, and its JSON
-- head says so. Columns added to backup_rows later are added here too (CREATE OR REPLACE VIEW,
-- appended at the end).
CREATE VIEW "backups" AS
SELECT r."pk", r."instance_id", r."number", r."backup_id",
       CASE WHEN p."pruned_at" IS NULL THEN r."status" ELSE 'deleted'::"backup_status" END AS "status",
       r."trigger", r."size", r."sha256", r."storage_key", r."encryption_key_id",
       r."failure_reason", r."triggered_at", r."started_at",
       coalesce(p."pruned_at", r."finished_at") AS "finished_at",
       r."heartbeat_at",
       CASE WHEN p."pruned_at" IS NULL THEN r."json_head"
            ELSE backup_json_head_pruned(r."json_head", p."pruned_at")
       END AS "json_head",
       r."active_restores", r."wal_start_lsn", r."bytes_read", r."bytes_written",
       r."active_instance_id",
       -- the status the row records, pruning aside: a read that filters on a status other than
       -- `deleted` names it too, and the filter then applies to the table before the join
       r."status" AS "recorded_status"
FROM "backup_rows" r
LEFT JOIN "backup_prunings" p ON p."backup_pk" = r."pk";

-- Records removed (by retention, or with their instance) take their prunings with them.
CREATE FUNCTION "backup_rows_forget_prunings"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM backup_prunings p USING removed r WHERE p.backup_pk = r.pk;
  RETURN NULL;
END
$$;
CREATE TRIGGER "backup_rows_forget_prunings" AFTER DELETE ON "backup_rows"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
  EXECUTE FUNCTION "backup_rows_forget_prunings"();

-- A restore holds its backup from the moment it is accepted until it ends (as in
-- 20261201205458_restores_hold_their_backup): active_restores counts the restores, and while it
-- is above zero the backup's key in backup_prunings holds a mark (pruned_at null). A pass inserts
-- its prunings without ON CONFLICT: an insert that meets a mark, or another pass's pruning, fails
-- (after waiting for the other's transaction) and the pass runs that statement again. The
-- restore's upsert of the mark waits for a pass's uncommitted pruning the same way, and then
-- sees it: the restore is refused (BM422) rather than holding a backup whose archive goes.
CREATE OR REPLACE FUNCTION "restores_hold_backup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_active boolean := false;
  is_active boolean := false;
  pruned timestamptz;
  still_held int;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    was_active := OLD.status IN ('queued', 'running');
  END IF;
  IF TG_OP <> 'DELETE' THEN
    is_active := NEW.status IN ('queued', 'running');
  END IF;
  IF is_active AND NOT was_active THEN
    UPDATE backup_rows SET active_restores = active_restores + 1
    WHERE pk = NEW.backup_pk AND status = 'done';
    IF FOUND THEN
      INSERT INTO backup_prunings (backup_pk, pruned_at) VALUES (NEW.backup_pk, NULL)
      ON CONFLICT (backup_pk) DO UPDATE SET backup_pk = EXCLUDED.backup_pk
      RETURNING pruned_at INTO pruned;
    END IF;
    IF NOT FOUND OR pruned IS NOT NULL THEN
      RAISE EXCEPTION 'backup % is not done: it cannot be restored', NEW.backup_pk
        USING ERRCODE = 'BM422';
    END IF;
  ELSIF was_active AND NOT is_active THEN
    UPDATE backup_rows SET active_restores = active_restores - 1 WHERE pk = OLD.backup_pk
    RETURNING active_restores INTO still_held;
    IF still_held = 0 THEN
      DELETE FROM backup_prunings WHERE backup_pk = OLD.backup_pk AND pruned_at IS NULL;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
-- the restores that hold a backup now, marked
INSERT INTO "backup_prunings" ("backup_pk", "pruned_at")
SELECT "pk", NULL FROM "backup_rows" WHERE "active_restores" > 0;

-- As in 20261203010000_prune_in_place, for the table under its new name (a backup's own
-- trigger is told apart by TG_TABLE_NAME).
CREATE OR REPLACE FUNCTION "refuse_when_instance_busy"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written text;
  busy boolean;
BEGIN
  -- (NEW has target_instance_id only on restores: each table its own branch)
  IF TG_TABLE_NAME = 'backup_rows' THEN
    written := NEW.instance_id;
    busy := EXISTS (SELECT 1 FROM restores
                    WHERE coalesce(target_instance_id, instance_id) = written
                      AND status IN ('queued', 'running'));
  ELSE
    written := coalesce(NEW.target_instance_id, NEW.instance_id);
    IF written <> NEW.instance_id THEN
      PERFORM 1 FROM instances WHERE id = written FOR UPDATE;
    END IF;
    busy := EXISTS (SELECT 1 FROM backup_rows WHERE active_instance_id = written);
  END IF;
  IF busy THEN
    RAISE EXCEPTION 'instance % is busy with a backup or restore', written
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END
$$;
