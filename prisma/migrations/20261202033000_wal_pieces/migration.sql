-- A row is now a piece of a segment: the whole segment, or what the segment being written
-- gained since the last piece (start_lsn/end_lsn are the piece's own range).
ALTER TABLE "wal_segments" ADD COLUMN "segment_size" INTEGER NOT NULL DEFAULT 16777216;
DROP INDEX "wal_segments_instance_id_segment_key";
CREATE UNIQUE INDEX "wal_segments_instance_id_segment_start_lsn_key" ON "wal_segments"("instance_id", "segment", "start_lsn");

-- The receiver's last proof that storage held all the instance's WAL: at caught_up_at (the
-- server's clock) the server had written nothing beyond caught_up_lsn, which storage held.
ALTER TABLE "wal_receivers" ADD COLUMN "caught_up_at" TIMESTAMPTZ(6);
ALTER TABLE "wal_receivers" ADD COLUMN "caught_up_lsn" TEXT;
