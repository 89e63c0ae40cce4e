-- Pruning a backup changes its status and finished_at and nothing else. When neither column is
-- in any index (predicates included) and the row's page has room, PostgreSQL writes the new
-- version beside the old one and touches no index (a HOT update): a pass that prunes half a
-- million backups then writes each row once, not each row and five index entries.

-- At most one queued or running backup per instance: unique over a stored column that holds
-- the instance id only while the backup is queued or running (null otherwise, and nulls do not
-- collide), so that the status itself is in no index.
ALTER TABLE "backups" ADD COLUMN "active_instance_id" TEXT
  GENERATED ALWAYS AS (CASE WHEN "status" IN ('queued', 'running') THEN "instance_id" END) STORED;
CREATE UNIQUE INDEX "backups_active_instance_id_key" ON "backups"("active_instance_id");
DROP INDEX "backups_one_active_per_instance";

-- Queued and running backups are found through the index above, and the records of backups
-- pruned long ago through the time they were triggered (which never changes, and comes before
-- the time they were pruned): no read needs an index that starts with the status.
DROP INDEX "backups_status_triggered_at_idx";
CREATE INDEX "backups_triggered_at_idx" ON "backups"("triggered_at");

-- A restore (or a fork into another instance) is refused while the instance it writes into has
-- a queued or running backup: as in 20261202001155_fork_restores, with that backup found
-- through the index above rather than among all the instance's backups.
CREATE OR REPLACE FUNCTION "refuse_when_instance_busy"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written text;
  busy boolean;
BEGIN
  -- (NEW has target_instance_id only on restores: each table its own branch)
  IF TG_TABLE_NAME = 'backups' THEN
    written := NEW.instance_id;
    busy := EXISTS (SELECT 1 FROM restores
                    WHERE coalesce(target_instance_id, instance_id) = written
                      AND status IN ('queued', 'running'));
  ELSE
    written := coalesce(NEW.target_instance_id, NEW.instance_id);
    IF written <> NEW.instance_id THEN
      PERFORM 1 FROM instances WHERE id = written FOR UPDATE;
    END IF;
    busy := EXISTS (SELECT 1 FROM backups WHERE active_instance_id = written);
  END IF;
  IF busy THEN
    RAISE EXCEPTION 'instance % is busy with a backup or restore', written
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END
$$;

-- Room on each page for the pruned versions of its rows (applies to pages written from now on;
-- VACUUM FULL rewrites the existing ones, at the cost of locking the table while it runs).
ALTER TABLE "backups" SET (fillfactor = 70);
