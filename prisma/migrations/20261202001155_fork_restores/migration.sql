-- AlterTable
ALTER TABLE "restores" ADD COLUMN     "target_instance_id" TEXT;

-- CreateIndex
CREATE INDEX "restores_target_instance_id_idx" ON "restores"("target_instance_id");

-- AddForeignKey
ALTER TABLE "restores" ADD CONSTRAINT "restores_target_instance_id_fkey" FOREIGN KEY ("target_instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A fork is a restore into another instance: the instance whose data is replaced is
-- coalesce(target_instance_id, instance_id). One restore writes into an instance at a time ...
ALTER TABLE "restores" ADD CONSTRAINT "restores_target_is_another_instance"
  CHECK ("target_instance_id" IS NULL OR "target_instance_id" <> "instance_id");
DROP INDEX "restores_one_active_per_instance";
CREATE UNIQUE INDEX "restores_one_active_per_instance"
  ON "restores"((coalesce("target_instance_id", "instance_id"))) WHERE "status" IN ('queued', 'running');

-- ... and never beside a backup of that instance. A fork locks its target's row as a backup of
-- the target does (its number), so the two are serialised and the second sees the first.
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
    busy := EXISTS (SELECT 1 FROM backups
                    WHERE instance_id = written AND status IN ('queued', 'running'));
  END IF;
  IF busy THEN
    RAISE EXCEPTION 'instance % is busy with a backup or restore', written
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END
$$;

-- The webhook body of a restore names its target.
CREATE OR REPLACE FUNCTION "restores_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM queue_webhook_deliveries('restore.' || NEW.status, json_build_object(
    'instance_id', NEW.instance_id,
    'id', NEW.number,
    'backup_id', (SELECT number FROM backups WHERE pk = NEW.backup_pk),
    'target_instance_id', coalesce(NEW.target_instance_id, NEW.instance_id),
    'status', NEW.status,
    'failure_reason', NEW.failure_reason,
    'triggered_at', api_time(NEW.triggered_at),
    'started_at', api_time(NEW.started_at),
    'finished_at', api_time(NEW.finished_at)));
  RETURN NULL;
END
$$;
