import type { BackupType, InstanceType } from '../generated/prisma/client';
import { DumpEngine } from './shared/dump-engine';
import { MariadbEngine } from './mariadb/mariadb.engine';
import { MariadbBaseBackupEngine } from './mariadb/mariadb-base-backup.engine';
import { PostgresqlBaseBackupEngine } from './postgresql/postgresql-base-backup.engine';
import { PostgresqlEngine } from './postgresql/postgresql.engine';
import { RedisEngine } from './redis/redis.engine';

/** The dump engine of each instance type. */
export class DumpEngines {
  private readonly byType: Record<InstanceType, DumpEngine> = {
    postgresql: new PostgresqlEngine(),
    mariadb: new MariadbEngine(),
    redis: new RedisEngine(),
  };

  private readonly baseBackups: Partial<Record<InstanceType, DumpEngine>> = {
    postgresql: new PostgresqlBaseBackupEngine(),
    mariadb: new MariadbBaseBackupEngine(),
  };

  for(type: InstanceType): DumpEngine {
    return this.byType[type];
  }

  /**
   * The engine that restores into an instance of `type`: for PostgreSQL, the base-backup engine,
   * which restores plain dumps too (a fork may bring a base backup into a standard instance).
   */
  forRestore(type: InstanceType): DumpEngine {
    return type === 'postgresql' ? this.baseBackups.postgresql! : this.byType[type];
  }

  /** The engine that backs an instance up: base backups for one with continuous archiving. */
  forInstance(instance: { type: InstanceType; backupType: BackupType }): DumpEngine {
    return (
      (instance.backupType === 'continuous_archiving' && this.baseBackups[instance.type]) ||
      this.byType[instance.type]
    );
  }
}
