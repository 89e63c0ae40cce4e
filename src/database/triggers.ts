import { BACKUP_JSON_HEAD_COLUMNS } from '../backups/backup-json.sql';
import { DatabaseTrigger } from './definition';

/** The triggers that call the functions (functions.ts, backup-json.ts), each defined once. */
export const TRIGGERS: readonly DatabaseTrigger[] = [
  {
    kind: 'trigger',
    name: 'backup_rows_forget_prunings on backup_rows',
    sql: `CREATE OR REPLACE TRIGGER "backup_rows_forget_prunings" AFTER DELETE ON "backup_rows"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
  EXECUTE FUNCTION "backup_rows_forget_prunings"();`,
  },
  {
    kind: 'trigger',
    name: 'backups_json_head on backup_rows',
    sql: `CREATE OR REPLACE TRIGGER "backups_json_head"
  BEFORE INSERT OR UPDATE OF ${[...BACKUP_JSON_HEAD_COLUMNS, 'json_head'].join(', ')}
  ON "backup_rows" FOR EACH ROW EXECUTE FUNCTION "backups_render_json_head"();`,
  },
  {
    kind: 'trigger',
    name: 'backups_notify on backup_rows',
    sql: `CREATE OR REPLACE TRIGGER "backups_notify" AFTER UPDATE OF "status" ON "backup_rows"
  FOR EACH ROW WHEN (NEW.status IN ('done', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION "backups_notify"();`,
  },
  {
    kind: 'trigger',
    name: 'backups_refuse_when_instance_busy on backup_rows',
    sql: `CREATE OR REPLACE TRIGGER "backups_refuse_when_instance_busy" BEFORE INSERT ON "backup_rows"
  FOR EACH ROW EXECUTE FUNCTION "refuse_when_instance_busy"();`,
  },
  {
    kind: 'trigger',
    name: 'restores_hold_backup on restores',
    sql: `CREATE OR REPLACE TRIGGER "restores_hold_backup" AFTER INSERT OR DELETE OR UPDATE OF "status" ON "restores"
  FOR EACH ROW EXECUTE FUNCTION "restores_hold_backup"();`,
  },
  {
    kind: 'trigger',
    name: 'restores_notify on restores',
    sql: `CREATE OR REPLACE TRIGGER "restores_notify" AFTER UPDATE OF "status" ON "restores"
  FOR EACH ROW WHEN (NEW.status IN ('done', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION "restores_notify"();`,
  },
  {
    kind: 'trigger',
    name: 'restores_refuse_when_instance_busy on restores',
    sql: `CREATE OR REPLACE TRIGGER "restores_refuse_when_instance_busy" BEFORE INSERT ON "restores"
  FOR EACH ROW EXECUTE FUNCTION "refuse_when_instance_busy"();`,
  },
  {
    kind: 'trigger',
    name: 'verifications_notify on verifications',
    sql: `CREATE OR REPLACE TRIGGER "verifications_notify" AFTER UPDATE OF "status" ON "verifications"
  FOR EACH ROW WHEN (OLD.status = 'running' AND NEW.status = 'failed')
  EXECUTE FUNCTION "verifications_notify"();`,
  },
  {
    kind: 'trigger',
    name: 'wal_gaps_notify on wal_gaps',
    sql: `CREATE OR REPLACE TRIGGER "wal_gaps_notify" AFTER INSERT ON "wal_gaps"
  FOR EACH ROW EXECUTE FUNCTION "wal_gaps_notify"();`,
  },
];
