import { ConfigError, Environment, parseEnvironment } from './environment';
import { readOrCreateLocalSecret } from './local-secrets';
import { AddressPolicy } from '../network/address-policy';

export type StorageDriverName = 'fs' | 's3';

export interface S3Settings {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/**
 * The validated settings of one process. Injected wherever a setting is needed;
 * nothing else reads process.env.
 */
export class AppConfig {
  readonly production: boolean;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly port: number;
  readonly workerMetricsPort: number;
  readonly adminToken: string;
  /** basic-auth credentials of the Backup Manager API */
  readonly backupManagerUsername: string;
  readonly backupManagerPassword: string;
  readonly masterKey: string;
  readonly storageDriver: StorageDriverName;
  readonly storagePath: string;
  readonly storageMinFreeBytes: number;
  readonly s3: S3Settings;
  readonly backupSchedule: string;
  readonly backupScheduleJitterMinutes: number;
  readonly verifySchedule: string;
  readonly verifyConcurrency: number | undefined;
  readonly downloadsEnabled: boolean;
  readonly minEncryptionKeyLength: number;
  readonly defaultMinBackupCount: number;
  readonly defaultRetentionTime: number;
  readonly deletedInstanceRetentionDays: number;
  readonly deletedRecordRetentionDays: number;
  readonly auditRetentionDays: number;
  readonly workerConcurrency: number;
  readonly walReceiversPerWorker: number;
  readonly walShipIntervalSeconds: number;
  readonly walReceiverLeaseMs: number;
  readonly upstreamTimeoutMs: number;
  readonly webhookTimeoutMs: number;
  readonly webhookRetryBaseMs: number;
  readonly webhookPollMs: number;
  /** where webhooks may be delivered (WEBHOOK_ALLOWED_HOSTS) */
  readonly webhookAllowedHosts: AddressPolicy;
  readonly databasePoolSize: number;
  readonly databasePoolTimeoutMs: number;
  readonly logLevel: string;
  readonly authFailuresPerMinute: number;
  /** the bearer token of /metrics besides the admin token; null: the admin token alone */
  readonly metricsToken: string | null;
  /** where generated local secrets were written, to tell the operator once at start */
  readonly generatedSecretFiles: string[];

  constructor(
    env: Environment,
    secrets: { adminToken: string; masterKey: string; backupManagerPassword: string },
    generated: string[],
  ) {
    this.production = env.NODE_ENV === 'production';
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.queuePrefix = env.QUEUE_PREFIX;
    this.port = env.PORT;
    this.workerMetricsPort = env.WORKER_METRICS_PORT;
    this.adminToken = secrets.adminToken;
    this.backupManagerUsername = env.BACKUP_MANAGER_USERNAME;
    this.backupManagerPassword = secrets.backupManagerPassword;
    this.masterKey = secrets.masterKey;
    this.storageDriver = env.STORAGE_DRIVER as StorageDriverName;
    this.storagePath = env.STORAGE_PATH;
    this.storageMinFreeBytes = env.STORAGE_MIN_FREE_BYTES;
    this.s3 = {
      bucket: env.S3_BUCKET ?? '',
      prefix: env.S3_PREFIX ?? '',
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION ?? 'us-east-1',
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    };
    this.backupSchedule = env.BACKUP_SCHEDULE;
    this.backupScheduleJitterMinutes = env.BACKUP_SCHEDULE_JITTER;
    this.verifySchedule = env.VERIFY_SCHEDULE;
    this.verifyConcurrency = env.VERIFY_CONCURRENCY;
    this.downloadsEnabled = env.DOWNLOADS_ENABLED;
    this.minEncryptionKeyLength = env.MIN_ENCRYPTION_KEY_LENGTH;
    this.defaultMinBackupCount = env.DEFAULT_MIN_BACKUP_COUNT;
    this.defaultRetentionTime = env.DEFAULT_RETENTION_TIME;
    this.deletedInstanceRetentionDays = env.DELETED_INSTANCE_RETENTION_DAYS;
    this.deletedRecordRetentionDays = env.DELETED_RECORD_RETENTION_DAYS;
    this.auditRetentionDays = env.AUDIT_RETENTION_DAYS;
    this.workerConcurrency = env.WORKER_CONCURRENCY;
    this.walReceiversPerWorker = env.WAL_RECEIVERS_PER_WORKER;
    this.walShipIntervalSeconds = env.WAL_SHIP_INTERVAL;
    this.walReceiverLeaseMs = env.WAL_RECEIVER_LEASE_SECONDS * 1000;
    this.upstreamTimeoutMs = env.UPSTREAM_TIMEOUT_MS;
    this.webhookTimeoutMs = env.WEBHOOK_TIMEOUT_MS;
    this.webhookRetryBaseMs = env.WEBHOOK_RETRY_BASE_MS;
    this.webhookPollMs = env.WEBHOOK_POLL_MS;
    this.webhookAllowedHosts = new AddressPolicy(env.WEBHOOK_ALLOWED_HOSTS);
    this.databasePoolSize = env.DATABASE_POOL_SIZE;
    this.databasePoolTimeoutMs = env.DATABASE_POOL_TIMEOUT_MS;
    this.logLevel = env.LOG_LEVEL;
    this.authFailuresPerMinute = env.AUTH_FAILURES_PER_MINUTE;
    this.metricsToken = env.METRICS_TOKEN ?? null;
    this.generatedSecretFiles = generated;
  }

  /**
   * Builds the configuration from the environment. Outside production an unset ADMIN_TOKEN,
   * MASTER_KEY or BACKUP_MANAGER_PASSWORD is generated once into ./data/ (and reused on every
   * later start); in production all must be given.
   */
  static fromEnvironment(raw: NodeJS.ProcessEnv = process.env): AppConfig {
    const env = parseEnvironment(raw);
    const required = ['ADMIN_TOKEN', 'MASTER_KEY', 'BACKUP_MANAGER_PASSWORD'] as const;
    const missing = required.filter((name) => !env[name]);
    if (env.NODE_ENV === 'production' && missing.length > 0) {
      // every missing secret in one message, not one per attempt
      throw new ConfigError(
        `invalid configuration:\n${missing
          .map((name) => `  - ${name} (or ${name}_FILE) must be set when NODE_ENV is production`)
          .join('\n')}`,
      );
    }
    const generated: string[] = [];
    const secret = (name: (typeof required)[number], file: string): string => {
      const given = env[name];
      if (given) return given;
      const local = readOrCreateLocalSecret(file);
      generated.push(`${name} ${local.created ? 'generated into' : 'read from'} ${local.path}`);
      return local.value;
    };
    return new AppConfig(
      env,
      {
        adminToken: secret('ADMIN_TOKEN', 'admin-token'),
        masterKey: secret('MASTER_KEY', 'master-key'),
        backupManagerPassword: secret('BACKUP_MANAGER_PASSWORD', 'backup-manager-password'),
      },
      generated,
    );
  }
}
