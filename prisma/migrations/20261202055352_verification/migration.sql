-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('running', 'verified', 'failed');

-- CreateTable
CREATE TABLE "backup_contents" (
    "backup_pk" BIGINT NOT NULL,
    "tables" JSONB NOT NULL,

    CONSTRAINT "backup_contents_pkey" PRIMARY KEY ("backup_pk")
);

-- CreateTable
CREATE TABLE "verifications" (
    "backup_pk" BIGINT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "status" "VerificationStatus" NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "duration_ms" INTEGER,
    "tables" INTEGER,
    "rows" BIGINT,
    "failure_reason" TEXT,

    CONSTRAINT "verifications_pkey" PRIMARY KEY ("backup_pk")
);

-- CreateIndex
CREATE INDEX "verifications_instance_id_idx" ON "verifications"("instance_id");

-- CreateIndex
CREATE INDEX "verifications_status_heartbeat_at_idx" ON "verifications"("status", "heartbeat_at");

-- AddForeignKey
ALTER TABLE "backup_contents" ADD CONSTRAINT "backup_contents_backup_pk_fkey" FOREIGN KEY ("backup_pk") REFERENCES "backups"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_backup_pk_fkey" FOREIGN KEY ("backup_pk") REFERENCES "backups"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

