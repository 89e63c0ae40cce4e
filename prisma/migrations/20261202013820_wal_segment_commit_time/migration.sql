-- AlterTable
ALTER TABLE "wal_segments" ADD COLUMN     "newest_commit_at" TIMESTAMPTZ(6);

