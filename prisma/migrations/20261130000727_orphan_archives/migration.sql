-- CreateTable
CREATE TABLE "orphan_archives" (
    "storage_key" TEXT NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orphan_archives_pkey" PRIMARY KEY ("storage_key")
);

