-- AlterTable
ALTER TABLE "backups" ADD COLUMN     "active_restores" INTEGER NOT NULL DEFAULT 0;


-- A restore holds its backup from the moment it is accepted until it ends: the retention pass
-- and a delete on request leave a backup with active_restores > 0 alone. Both sides write the
-- backup row (the restore's insert raises active_restores, a deletion sets the status), so
-- whichever commits second sees the other's write and yields: the insert fails with BM422 when
-- the backup is no longer done, the deletion skips a backup that is held.
ALTER TABLE "backups" ADD CONSTRAINT "backups_active_restores_not_negative" CHECK ("active_restores" >= 0);

UPDATE "backups" b SET "active_restores" = r.n
FROM (SELECT "backup_pk", count(*) AS n FROM "restores"
      WHERE "status" IN ('queued', 'running') GROUP BY "backup_pk") r
WHERE b."pk" = r."backup_pk";

CREATE FUNCTION "restores_hold_backup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_active boolean := false;
  is_active boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    was_active := OLD.status IN ('queued', 'running');
  END IF;
  IF TG_OP <> 'DELETE' THEN
    is_active := NEW.status IN ('queued', 'running');
  END IF;
  IF is_active AND NOT was_active THEN
    UPDATE backups SET active_restores = active_restores + 1
    WHERE pk = NEW.backup_pk AND status = 'done';
    IF NOT FOUND THEN
      RAISE EXCEPTION 'backup % is not done: it cannot be restored', NEW.backup_pk
        USING ERRCODE = 'BM422';
    END IF;
  ELSIF was_active AND NOT is_active THEN
    UPDATE backups SET active_restores = active_restores - 1 WHERE pk = OLD.backup_pk;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "restores_hold_backup" AFTER INSERT OR DELETE OR UPDATE OF "status" ON "restores"
  FOR EACH ROW EXECUTE FUNCTION "restores_hold_backup"();
