-- Retained WAL is read from each instance on a schedule of its own, by whichever process (API
-- or worker) finds the reading due, so that it follows the slot while no receiver runs.
-- AlterTable
ALTER TABLE "wal_receivers" ADD COLUMN     "slot_observed_at" TIMESTAMPTZ(3);

