-- AlterTable
ALTER TABLE "backups" ADD COLUMN     "bytes_read" BIGINT,
ADD COLUMN     "bytes_written" BIGINT;

-- AlterTable
ALTER TABLE "restores" ADD COLUMN     "bytes_read" BIGINT;

