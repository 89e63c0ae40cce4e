-- CreateEnum
CREATE TYPE "restore_status" AS ENUM ('queued', 'running', 'done', 'failed');

-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "last_restore_number" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "restores" (
    "pk" BIGSERIAL NOT NULL,
    "instance_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "backup_pk" BIGINT NOT NULL,
    "status" "restore_status" NOT NULL DEFAULT 'queued',
    "failure_reason" TEXT,
    "triggered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "heartbeat_at" TIMESTAMPTZ(3),

    CONSTRAINT "restores_pkey" PRIMARY KEY ("pk")
);

-- CreateIndex
CREATE INDEX "restores_backup_pk_idx" ON "restores"("backup_pk");

-- CreateIndex
CREATE UNIQUE INDEX "restores_instance_id_number_key" ON "restores"("instance_id", "number");

-- AddForeignKey
ALTER TABLE "restores" ADD CONSTRAINT "restores_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "restores" ADD CONSTRAINT "restores_backup_pk_fkey" FOREIGN KEY ("backup_pk") REFERENCES "backups"("pk") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one restore of an instance is queued or running at a time.
CREATE UNIQUE INDEX "restores_one_active_per_instance" ON "restores"("instance_id") WHERE "status" IN ('queued', 'running');
ALTER TABLE "restores" ADD CONSTRAINT "restores_number_positive" CHECK ("number" >= 1);

-- A backup and a restore of one instance never run side by side. Both inserts first update
-- the instance row (their per-instance number), whose lock serialises them, and these triggers
-- then look at the other table with a fresh snapshot and refuse with exclusion_violation.
-- The function body is an E'' string with every semicolon written as \073: the migration
-- runner splits the file at each semicolon, even inside quotes.
CREATE FUNCTION "refuse_when_instance_busy"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF (TG_TABLE_NAME = ''backups'' AND EXISTS (
        SELECT 1 FROM restores WHERE instance_id = NEW.instance_id AND status IN (''queued'', ''running'')))
     OR (TG_TABLE_NAME = ''restores'' AND EXISTS (
        SELECT 1 FROM backups WHERE instance_id = NEW.instance_id AND status IN (''queued'', ''running''))) THEN
    RAISE EXCEPTION ''instance % is busy with a backup or restore'', NEW.instance_id
      USING ERRCODE = ''exclusion_violation''\073
  END IF\073
  RETURN NEW\073
END';
CREATE TRIGGER "backups_refuse_when_instance_busy" BEFORE INSERT ON "backups"
  FOR EACH ROW EXECUTE FUNCTION "refuse_when_instance_busy"();
CREATE TRIGGER "restores_refuse_when_instance_busy" BEFORE INSERT ON "restores"
  FOR EACH ROW EXECUTE FUNCTION "refuse_when_instance_busy"();
