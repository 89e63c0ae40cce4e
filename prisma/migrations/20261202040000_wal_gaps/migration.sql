-- What the receiver last read of its slot on the instance.
ALTER TABLE "wal_receivers" ADD COLUMN "slot_wal_status" TEXT;
ALTER TABLE "wal_receivers" ADD COLUMN "retained_bytes" BIGINT;

-- A stretch of an instance's WAL that never reached storage: restores cannot cross it, and the
-- window restarts after the first base backup taken after it.
CREATE TABLE "wal_gaps" (
    "pk" BIGSERIAL NOT NULL,
    "instance_id" TEXT NOT NULL,
    "from_lsn" TEXT NOT NULL,
    "to_lsn" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "last_good_at" TIMESTAMPTZ(6),
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "backup_requested_at" TIMESTAMPTZ(3),

    CONSTRAINT "wal_gaps_pkey" PRIMARY KEY ("pk")
);

CREATE INDEX "wal_gaps_instance_id_detected_at_idx" ON "wal_gaps"("instance_id", "detected_at");

ALTER TABLE "wal_gaps" ADD CONSTRAINT "wal_gaps_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
