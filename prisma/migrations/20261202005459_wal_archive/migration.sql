-- CreateTable
CREATE TABLE "wal_receivers" (
    "instance_id" TEXT NOT NULL,
    "slot_name" TEXT NOT NULL,
    "worker_id" UUID,
    "lease_until" TIMESTAMPTZ(3),
    "state" TEXT NOT NULL DEFAULT 'idle',
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wal_receivers_pkey" PRIMARY KEY ("instance_id")
);

-- CreateTable
CREATE TABLE "wal_segments" (
    "pk" BIGSERIAL NOT NULL,
    "instance_id" TEXT NOT NULL,
    "timeline" INTEGER NOT NULL,
    "segment" TEXT NOT NULL,
    "start_lsn" TEXT NOT NULL,
    "end_lsn" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "encryption_key_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wal_segments_pkey" PRIMARY KEY ("pk")
);

-- CreateIndex
CREATE INDEX "wal_receivers_lease_until_idx" ON "wal_receivers"("lease_until");

-- CreateIndex
CREATE INDEX "wal_segments_instance_id_created_at_idx" ON "wal_segments"("instance_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "wal_segments_instance_id_segment_key" ON "wal_segments"("instance_id", "segment");

-- AddForeignKey
ALTER TABLE "wal_receivers" ADD CONSTRAINT "wal_receivers_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wal_segments" ADD CONSTRAINT "wal_segments_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wal_segments" ADD CONSTRAINT "wal_segments_encryption_key_id_fkey" FOREIGN KEY ("encryption_key_id") REFERENCES "encryption_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

