-- Operators asked to hear of more than backups and restores: a gap in an instance's WAL archive
-- (`wal.gap`) and a failed verification (`verification.failed`) are queued, like the others, by
-- the database in the transaction that records them. (`wal.receiver_failed` is queued by the
-- worker with the failure it records: only the first failure of an outage is an event.)
CREATE FUNCTION "wal_gaps_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM queue_webhook_deliveries('wal.gap', json_build_object(
    'instance_id', NEW.instance_id,
    'from_lsn', NEW.from_lsn,
    'to_lsn', NEW.to_lsn,
    'reason', NEW.reason,
    'last_good_at', api_time(NEW.last_good_at),
    'detected_at', api_time(NEW.detected_at)));
  RETURN NULL;
END
$$;

CREATE TRIGGER "wal_gaps_notify" AFTER INSERT ON "wal_gaps"
  FOR EACH ROW EXECUTE FUNCTION "wal_gaps_notify"();

CREATE FUNCTION "verifications_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM queue_webhook_deliveries('verification.failed', json_build_object(
    'instance_id', NEW.instance_id,
    'id', b.number,
    'backup_id', b.backup_id,
    'status', NEW.status,
    'failure_reason', NEW.failure_reason,
    'started_at', api_time(NEW.started_at),
    'finished_at', api_time(NEW.finished_at)))
  FROM backups b WHERE b.pk = NEW.backup_pk;
  RETURN NULL;
END
$$;

CREATE TRIGGER "verifications_notify" AFTER UPDATE OF "status" ON "verifications"
  FOR EACH ROW WHEN (OLD.status = 'running' AND NEW.status = 'failed')
  EXECUTE FUNCTION "verifications_notify"();
