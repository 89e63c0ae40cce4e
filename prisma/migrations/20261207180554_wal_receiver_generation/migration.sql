-- A receiver lease carries a generation that only grows (each claim adds one), and every WAL
-- piece records the generation that stored it: a worker records a piece only while it still
-- holds the generation it claimed, so one that stalled past its lease cannot write over the
-- archive of the worker that took over.
-- AlterTable
ALTER TABLE "wal_receivers" ADD COLUMN     "generation" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "wal_segments" ADD COLUMN     "generation" BIGINT NOT NULL DEFAULT 0;

