-- AlterTable
ALTER TABLE "backups" ADD COLUMN     "heartbeat_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "orphan_archives" DROP CONSTRAINT "orphan_archives_pkey",
ADD COLUMN     "partial" BOOLEAN NOT NULL DEFAULT false,
ADD CONSTRAINT "orphan_archives_pkey" PRIMARY KEY ("storage_key", "partial");

