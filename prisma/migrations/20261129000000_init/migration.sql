-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "instance_type" AS ENUM ('postgresql', 'mariadb', 'redis');

-- CreateEnum
CREATE TYPE "backup_type" AS ENUM ('standard', 'continuous_archiving');

-- CreateEnum
CREATE TYPE "backup_status" AS ENUM ('queued', 'running', 'done', 'failed', 'deleted');

-- CreateEnum
CREATE TYPE "backup_trigger" AS ENUM ('manual', 'scheduled');

-- CreateEnum
CREATE TYPE "encryption_key_origin" AS ENUM ('user', 'platform');

-- CreateTable
CREATE TABLE "instances" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "instance_type" NOT NULL,
    "backup_type" "backup_type" NOT NULL DEFAULT 'standard',
    "credentials" BYTEA NOT NULL,
    "last_backup_number" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backups_config" (
    "instance_id" TEXT NOT NULL,
    "min_backup_count" INTEGER NOT NULL,
    "retention_time" INTEGER NOT NULL,
    "exclude_from_auto_backup" BOOLEAN NOT NULL DEFAULT false,
    "active_key_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "backups_config_pkey" PRIMARY KEY ("instance_id")
);

-- CreateTable
CREATE TABLE "encryption_keys" (
    "id" UUID NOT NULL,
    "instance_id" TEXT NOT NULL,
    "origin" "encryption_key_origin" NOT NULL,
    "sealed" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "encryption_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backups" (
    "pk" BIGSERIAL NOT NULL,
    "instance_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "backup_id" TEXT NOT NULL,
    "status" "backup_status" NOT NULL DEFAULT 'queued',
    "trigger" "backup_trigger" NOT NULL DEFAULT 'manual',
    "size" BIGINT NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "storage_key" TEXT,
    "encryption_key_id" UUID NOT NULL,
    "failure_reason" TEXT,
    "triggered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "backups_pkey" PRIMARY KEY ("pk")
);

-- CreateTable
CREATE TABLE "access_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "instances" TEXT[],
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "instances_deleted_at_idx" ON "instances"("deleted_at");

-- CreateIndex
CREATE INDEX "encryption_keys_instance_id_idx" ON "encryption_keys"("instance_id");

-- CreateIndex
CREATE UNIQUE INDEX "backups_backup_id_key" ON "backups"("backup_id");

-- CreateIndex
CREATE INDEX "backups_status_triggered_at_idx" ON "backups"("status", "triggered_at");

-- CreateIndex
CREATE UNIQUE INDEX "backups_instance_id_number_key" ON "backups"("instance_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "access_tokens_token_hash_key" ON "access_tokens"("token_hash");

-- AddForeignKey
ALTER TABLE "backups_config" ADD CONSTRAINT "backups_config_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backups_config" ADD CONSTRAINT "backups_config_active_key_id_fkey" FOREIGN KEY ("active_key_id") REFERENCES "encryption_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "encryption_keys" ADD CONSTRAINT "encryption_keys_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backups" ADD CONSTRAINT "backups_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backups" ADD CONSTRAINT "backups_encryption_key_id_fkey" FOREIGN KEY ("encryption_key_id") REFERENCES "encryption_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: what the Prisma schema cannot express.

-- At most one backup per instance is queued or running. The database enforces it, so two
-- API processes racing on POST …/backups cannot both insert.
CREATE UNIQUE INDEX "backups_one_active_per_instance" ON "backups"("instance_id") WHERE "status" IN ('queued', 'running');

ALTER TABLE "backups_config" ADD CONSTRAINT "backups_config_min_backup_count_nonnegative" CHECK ("min_backup_count" >= 0);
ALTER TABLE "backups_config" ADD CONSTRAINT "backups_config_retention_time_nonnegative" CHECK ("retention_time" >= 0);
ALTER TABLE "backups" ADD CONSTRAINT "backups_number_positive" CHECK ("number" >= 1);
ALTER TABLE "backups" ADD CONSTRAINT "backups_size_nonnegative" CHECK ("size" >= 0);
