import { DatabaseFunction } from './definition';

/**
 * The database's own functions, hand-written: each is defined here once, as it is now, and
 * `npm run db:migration` writes the migration that brings a database to it (test/medium/
 * database-definitions fails while one differs from what the migrations made). The functions
 * generated from BACKUP_FIELDS are in backup-json.ts.
 */
export const FUNCTIONS: readonly DatabaseFunction[] = [
  {
    kind: 'function',
    name: 'api_time(timestamp with time zone)',
    sql: `-- A time as the API writes it: 2026-12-01T01:30:00.123Z.
CREATE OR REPLACE FUNCTION api_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;`,
  },
  {
    kind: 'function',
    name: 'queue_webhook_deliveries(text,json)',
    sql: `-- Queues one delivery per webhook that wants \`event\`, its body fixed now: in the same
-- transaction as the status change, so no finished job goes unannounced and none is announced
-- twice, whichever process (worker, recovery sweep) ended it. Never fails the status change:
-- an error here (there should be none) costs the deliveries, with a warning in the server log.
CREATE OR REPLACE FUNCTION queue_webhook_deliveries(event text, data json) RETURNS void LANGUAGE plpgsql AS $$
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
$$;`,
  },
  {
    kind: 'function',
    name: 'backups_notify()',
    sql: `-- \`backup.done\` and \`backup.failed\`, queued in the transaction that records the backup's end.
CREATE OR REPLACE FUNCTION backups_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;`,
  },
  {
    kind: 'function',
    name: 'restores_notify()',
    sql: `-- The webhook body of a restore names its target.
CREATE OR REPLACE FUNCTION restores_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM queue_webhook_deliveries('restore.' || NEW.status, json_build_object(
    'instance_id', NEW.instance_id,
    'id', NEW.number,
    'backup_id', (SELECT number FROM backups WHERE pk = NEW.backup_pk),
    'target_instance_id', coalesce(NEW.target_instance_id, NEW.instance_id),
    'status', NEW.status,
    'failure_reason', NEW.failure_reason,
    'triggered_at', api_time(NEW.triggered_at),
    'started_at', api_time(NEW.started_at),
    'finished_at', api_time(NEW.finished_at)));
  RETURN NULL;
END
$$;`,
  },
  {
    kind: 'function',
    name: 'verifications_notify()',
    sql: `-- \`verification.failed\`, queued in the transaction that records the failure.
CREATE OR REPLACE FUNCTION verifications_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;`,
  },
  {
    kind: 'function',
    name: 'wal_gaps_notify()',
    sql: `-- Operators asked to hear of more than backups and restores: a gap in an instance's WAL archive
-- (\`wal.gap\`) and a failed verification (\`verification.failed\`) are queued, like the others, by
-- the database in the transaction that records them. (\`wal.receiver_failed\` is queued by the
-- worker with the failure it records: only the first failure of an outage is an event.)
CREATE OR REPLACE FUNCTION wal_gaps_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;`,
  },
  {
    kind: 'function',
    name: 'refuse_when_instance_busy()',
    sql: `-- An instance has at most one backup or restore queued or running: a backup is refused while a
-- restore writes the instance, and a restore (or a fork into the instance) while a backup or a
-- restore is at it. One function for both tables' triggers, told apart by TG_TABLE_NAME; a
-- backup's activity is its active_instance_id (unique, generated from its status).
CREATE OR REPLACE FUNCTION refuse_when_instance_busy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written text;
  busy boolean;
BEGIN
  -- (NEW has target_instance_id only on restores: each table its own branch)
  IF TG_TABLE_NAME = 'backup_rows' THEN
    written := NEW.instance_id;
    busy := EXISTS (SELECT 1 FROM restores
                    WHERE coalesce(target_instance_id, instance_id) = written
                      AND status IN ('queued', 'running'));
  ELSE
    written := coalesce(NEW.target_instance_id, NEW.instance_id);
    IF written <> NEW.instance_id THEN
      PERFORM 1 FROM instances WHERE id = written FOR UPDATE;
    END IF;
    busy := EXISTS (SELECT 1 FROM backup_rows WHERE active_instance_id = written);
  END IF;
  IF busy THEN
    RAISE EXCEPTION 'instance % is busy with a backup or restore', written
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END
$$;`,
  },
  {
    kind: 'function',
    name: 'restores_hold_backup()',
    sql: `-- A restore holds its backup from the moment it is accepted until it ends: retention neither
-- prunes nor deletes it meanwhile. active_restores counts the restores, and while it
-- is above zero the backup's key in backup_prunings holds a mark (pruned_at null). A pass inserts
-- its prunings without ON CONFLICT: an insert that meets a mark, or another pass's pruning, fails
-- (after waiting for the other's transaction) and the pass runs that statement again. The
-- restore's upsert of the mark waits for a pass's uncommitted pruning the same way, and then
-- sees it: the restore is refused (BM422) rather than holding a backup whose archive goes.
CREATE OR REPLACE FUNCTION restores_hold_backup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_active boolean := false;
  is_active boolean := false;
  pruned timestamptz;
  still_held int;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    was_active := OLD.status IN ('queued', 'running');
  END IF;
  IF TG_OP <> 'DELETE' THEN
    is_active := NEW.status IN ('queued', 'running');
  END IF;
  IF is_active AND NOT was_active THEN
    UPDATE backup_rows SET active_restores = active_restores + 1
    WHERE pk = NEW.backup_pk AND status = 'done';
    IF FOUND THEN
      INSERT INTO backup_prunings (backup_pk, pruned_at) VALUES (NEW.backup_pk, NULL)
      ON CONFLICT (backup_pk) DO UPDATE SET backup_pk = EXCLUDED.backup_pk
      RETURNING pruned_at INTO pruned;
    END IF;
    IF NOT FOUND OR pruned IS NOT NULL THEN
      RAISE EXCEPTION 'backup % is not done: it cannot be restored', NEW.backup_pk
        USING ERRCODE = 'BM422';
    END IF;
  ELSIF was_active AND NOT is_active THEN
    UPDATE backup_rows SET active_restores = active_restores - 1 WHERE pk = OLD.backup_pk
    RETURNING active_restores INTO still_held;
    IF still_held = 0 THEN
      DELETE FROM backup_prunings WHERE backup_pk = OLD.backup_pk AND pruned_at IS NULL;
    END IF;
  END IF;
  RETURN NULL;
END
$$;`,
  },
  {
    kind: 'function',
    name: 'backup_rows_forget_prunings()',
    sql: `-- Records removed (by retention, or with their instance) take their prunings with them.
CREATE OR REPLACE FUNCTION backup_rows_forget_prunings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM backup_prunings p USING removed r WHERE p.backup_pk = r.pk;
  RETURN NULL;
END
$$;`,
  },
];
