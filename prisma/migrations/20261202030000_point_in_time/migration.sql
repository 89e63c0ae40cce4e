-- Where the instance's write-ahead log stood when a base backup started: a restore to a later
-- moment replays the archived WAL from the segment holding this position.
ALTER TABLE "backups" ADD COLUMN "wal_start_lsn" TEXT;

-- The moment a point-in-time restore brings the instance back to (null: the end of the backup).
ALTER TABLE "restores" ADD COLUMN "point_in_time" TIMESTAMPTZ(3);
