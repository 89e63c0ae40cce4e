-- CreateEnum
CREATE TYPE "delivery_status" AS ENUM ('pending', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secret" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" "delivery_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "attempt_log" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_created_at_idx" ON "webhook_deliveries"("webhook_id", "created_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A webhook's events and URL are what the admin API accepted; the database keeps them so.
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_events_not_empty" CHECK (cardinality("events") > 0);
CREATE INDEX "webhooks_events_idx" ON "webhooks" USING GIN ("events");

-- A time as the API writes it: 2026-12-01T01:30:00.123Z.
CREATE FUNCTION "api_time"(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Queues one delivery per webhook that wants `event`, its body fixed now: in the same
-- transaction as the status change, so no finished job goes unannounced and none is announced
-- twice, whichever process (worker, recovery sweep) ended it. Never fails the status change:
-- an error here (there should be none) costs the deliveries, with a warning in the server log.
CREATE FUNCTION "queue_webhook_deliveries"(event text, data json) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH targets AS (
    SELECT gen_random_uuid() AS id, w.id AS webhook_id FROM webhooks w WHERE w.events @> ARRAY[event]
  )
  INSERT INTO webhook_deliveries (id, webhook_id, event, payload)
  SELECT t.id, t.webhook_id, event,
         json_build_object('id', t.id, 'event', event, 'created_at', api_time(now()), 'data', data)::text
  FROM targets t;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'webhook deliveries of % not queued: %', event, SQLERRM;
END
$$;

CREATE FUNCTION "backups_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM queue_webhook_deliveries('backup.' || NEW.status, json_build_object(
    'instance_id', NEW.instance_id,
    'id', NEW.number,
    'backup_id', NEW.backup_id,
    'status', NEW.status,
    'trigger', NEW.trigger,
    'size', NEW.size,
    'failure_reason', NEW.failure_reason,
    'triggered_at', api_time(NEW.triggered_at),
    'started_at', api_time(NEW.started_at),
    'finished_at', api_time(NEW.finished_at)));
  RETURN NULL;
END
$$;

CREATE TRIGGER "backups_notify" AFTER UPDATE OF "status" ON "backups"
  FOR EACH ROW WHEN (NEW.status IN ('done', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION "backups_notify"();

CREATE FUNCTION "restores_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM queue_webhook_deliveries('restore.' || NEW.status, json_build_object(
    'instance_id', NEW.instance_id,
    'id', NEW.number,
    'backup_id', (SELECT number FROM backups WHERE pk = NEW.backup_pk),
    'status', NEW.status,
    'failure_reason', NEW.failure_reason,
    'triggered_at', api_time(NEW.triggered_at),
    'started_at', api_time(NEW.started_at),
    'finished_at', api_time(NEW.finished_at)));
  RETURN NULL;
END
$$;

CREATE TRIGGER "restores_notify" AFTER UPDATE OF "status" ON "restores"
  FOR EACH ROW WHEN (NEW.status IN ('done', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION "restores_notify"();
