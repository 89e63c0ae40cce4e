import type { InstanceType } from '../generated/prisma/client';
import { DumpEngine } from './dump-engine';
import { MariadbEngine } from './mariadb.engine';
import { PostgresqlEngine } from './postgresql.engine';
import { RedisEngine } from './redis.engine';

/** The dump engine of each instance type. */
export class DumpEngines {
  private readonly byType: Record<InstanceType, DumpEngine> = {
    postgresql: new PostgresqlEngine(),
    mariadb: new MariadbEngine(),
    redis: new RedisEngine(),
  };

  for(type: InstanceType): DumpEngine {
    return this.byType[type];
  }
}
