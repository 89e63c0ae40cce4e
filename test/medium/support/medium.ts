import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleMetadata } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { AppConfig } from '../../../src/core/config/app-config';
import { Clock, SystemClock } from '../../../src/core/clock/clock';
import { CoreModule } from '../../../src/core/core.module';
import { PrismaService } from '../../../src/core/prisma/prisma.service';
import { InstancesDataModule } from '../../../src/instances/instances-data.module';
import { InstancesModule } from '../../../src/instances/instances.module';
import { InstancesService } from '../../../src/instances/instances.service';
import type { AccessedInstance } from '../../../src/access/access.repository';
import { createTestDatabase } from '../../support/databases';
import { TEST_SETTINGS } from '../../support/settings';
import { capturingLogger } from '../../support/test-app';

/** A service's module on a database of its own: the real repositories, no HTTP, no worker. */
export interface Medium {
  module: TestingModule;
  prisma: PrismaService;
  config: AppConfig;
  /** every log line the services wrote, as raw JSON text */
  logs: string[];
  get<T>(token: abstract new (...args: never[]) => T): T;
  /** registers a PostgreSQL instance through the real InstancesService */
  register(): Promise<AccessedInstance>;
  close(): Promise<void>;
}

/**
 * Compiles `imports` with the core (configuration, database client, sealing, `clock`) on a
 * fresh clone of the migrated template; the instances' module comes along so that a test
 * registers instances as the admin API does.
 */
export async function startMedium(
  imports: NonNullable<ModuleMetadata['imports']>,
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    providers?: NonNullable<ModuleMetadata['providers']>;
  } = {},
): Promise<Medium> {
  const db = await createTestDatabase();
  const storagePath = mkdtempSync(join(tmpdir(), 'bm-medium-'));
  const config = AppConfig.fromEnvironment({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    ADMIN_TOKEN: randomBytes(16).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'trace',
    REDIS_URL: TEST_SETTINGS.redisUrl,
    QUEUE_PREFIX: `bm-medium-${randomBytes(4).toString('hex')}`,
    STORAGE_PATH: storagePath,
    ...options.env,
  });
  const module = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot(config, options.clock ?? new SystemClock()),
      InstancesModule,
      InstancesDataModule,
      ...imports,
    ],
    providers: options.providers ?? [],
  }).compile();
  const logs: string[] = [];
  module.useLogger(capturingLogger(logs));
  await module.init();
  return {
    module,
    prisma: module.get(PrismaService),
    config,
    logs,
    get: (token) => module.get(token, { strict: false }),
    register: async () => {
      const i = await module.get(InstancesService).register({
        name: `medium-${randomBytes(3).toString('hex')}`,
        type: 'postgresql',
        connection_url: 'postgresql://postgres@127.0.0.1:5432/postgres',
      });
      return {
        id: i.id,
        name: i.name,
        type: i.type,
        backupType: i.backup_type,
      } as AccessedInstance;
    },
    close: async () => {
      await module.close();
      await db.drop();
      rmSync(storagePath, { recursive: true, force: true });
    },
  };
}
