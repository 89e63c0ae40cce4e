-- A restore to a moment keeps the moment to the microsecond, as PostgreSQL keeps commit times:
-- a moment cut to the millisecond would leave out commits made in the rest of it.
-- AlterTable
ALTER TABLE "restores" ALTER COLUMN "point_in_time" SET DATA TYPE TIMESTAMPTZ(6);

