import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ModuleMetadata } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import type {
  BackupRow,
  BackupType,
  InstanceType,
  Prisma,
} from '../../../src/generated/prisma/client';
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

/** Where the instances of medium tests are: never dumped (a medium test runs no worker). */
const CONNECTION_URLS: Record<InstanceType, string> = {
  postgresql: 'postgresql://postgres@127.0.0.1:5432/postgres',
  mariadb: 'mariadb://root@127.0.0.1:3306/test',
  redis: 'redis://127.0.0.1:6379',
};

/** A service's module on a database of its own: the real repositories, no HTTP, no worker. */
export interface Medium {
  module: TestingModule;
  prisma: PrismaService;
  config: AppConfig;
  /** every log line the services wrote, as raw JSON text */
  logs: string[];
  get<T>(token: abstract new (...args: never[]) => T): T;
  /**
   * An instance, registered through the real InstancesService as the admin API does: a
   * PostgreSQL instance with standard backups unless told otherwise.
   */
  newInstance(options?: NewInstanceOptions): Promise<AccessedInstance>;
  /**
   * A backup of `instance` as the runner leaves one, written into backup_rows: the next number,
   * `done` (with its storage key, a SHA-256 and finished now) unless `fields` say otherwise,
   * encrypted with the instance's active key; `archive: true` also stores a file under its key.
   */
  newBackup(instance: AccessedInstance, fields?: NewBackupFields): Promise<NewBackup>;
  close(): Promise<void>;
}

export interface NewInstanceOptions {
  type?: InstanceType;
  backupType?: BackupType;
}

export type NewBackupFields = Partial<Omit<Prisma.BackupRowUncheckedCreateInput, 'instanceId'>> & {
  archive?: boolean;
};

export type NewBackup = BackupRow & {
  /** where its archive is (or would be) on disk */
  file: string;
};

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
  const prisma = module.get(PrismaService);
  return {
    module,
    prisma,
    config,
    logs,
    get: (token) => module.get(token, { strict: false }),
    newInstance: async (options = {}) => {
      const type = options.type ?? 'postgresql';
      const i = await module.get(InstancesService).register({
        name: `medium-${randomBytes(3).toString('hex')}`,
        type,
        connection_url: CONNECTION_URLS[type],
      });
      const backupType = options.backupType ?? 'standard';
      if (backupType !== 'standard') {
        await prisma.instance.update({ where: { id: i.id }, data: { backupType } });
      }
      return { id: i.id, name: i.name, type: i.type, backupType } as AccessedInstance;
    },
    newBackup: async (instance, { archive, ...fields } = {}) => {
      const { activeKeyId } = await prisma.backupsConfig.findUniqueOrThrow({
        where: { instanceId: instance.id },
      });
      const number =
        fields.number ?? (await prisma.backupRow.count({ where: { instanceId: instance.id } })) + 1;
      const status = fields.status ?? 'done';
      const ended = status === 'done' || status === 'failed' || status === 'deleted';
      const storageKey = `${instance.id}/${instance.id}-${number}.tgz`;
      const row = await prisma.backupRow.create({
        data: {
          instanceId: instance.id,
          number,
          backupId: `${instance.id}-${number}`,
          status,
          encryptionKeyId: activeKeyId,
          size: 7n,
          storageKey: status === 'done' ? storageKey : null,
          sha256: status === 'done' ? '0'.repeat(64) : null,
          startedAt: status === 'queued' ? null : new Date(),
          finishedAt: ended ? new Date() : null,
          ...fields,
        },
      });
      const file = join(storagePath, row.storageKey ?? storageKey);
      if (archive) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, 'archive');
      }
      return { ...row, file };
    },
    close: async () => {
      await module.close();
      await db.drop();
      rmSync(storagePath, { recursive: true, force: true });
    },
  };
}
