import { readFileSync } from 'node:fs';
import { CronExpressionParser } from 'cron-parser';
import { Transform, plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  validateSync,
} from 'class-validator';
import { SSL_MODES } from '../connections/postgres-connection';
import { REDIS_TLS_PARAMETERS } from '../connections/redis-connection';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './defaults';
import { AddressPolicy } from '../network/address-policy';

/** Thrown when the environment cannot start the process; the message names the variable. */
export class ConfigError extends Error {}

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

@ValidatorConstraint({ name: 'cron' })
class IsCronExpression implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    try {
      CronExpressionParser.parse(value, { tz: 'UTC' });
      return value.trim().split(/\s+/).length === 5;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return '$property must be a five-field cron expression (minute hour day month weekday), got "$value"';
  }
}

@ValidatorConstraint({ name: 'url' })
class IsUrlWithProtocol implements ValidatorConstraintInterface {
  validate(value: unknown, args?: ValidationArguments): boolean {
    if (typeof value !== 'string') return false;
    try {
      return (args?.constraints[0] as string[]).includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }
  defaultMessage(args?: ValidationArguments): string {
    // Never echo the value: a connection URL may hold a password.
    const protocols = args?.constraints[0] as string[];
    return `$property must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  }
}

/** Every setting of section 7, as read from the environment (strings parsed, defaults applied). */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @Validate(IsUrlWithProtocol, [['postgres:', 'postgresql:']])
  DATABASE_URL: string = DEFAULT_DATABASE_URL;

  @Validate(IsUrlWithProtocol, [['redis:', 'rediss:']])
  REDIS_URL: string = DEFAULT_REDIS_URL;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /** the worker's own HTTP port for /metrics and /health/live; 0 serves nothing */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_METRICS_PORT: number = 9464;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters long' })
  ADMIN_TOKEN?: string;

  /** basic-auth user of the Backup Manager API (/backup-manager) */
  @IsString()
  @MinLength(1)
  BACKUP_MANAGER_USERNAME: string = 'backup-manager';

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'BACKUP_MANAGER_PASSWORD must be at least 16 characters long' })
  BACKUP_MANAGER_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'MASTER_KEY must be at least 32 characters long (e.g. 64 hex digits)' })
  MASTER_KEY?: string;

  /** prefix of the job queue's keys in Redis, so that several deployments can share one */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'QUEUE_PREFIX must be 1 to 64 letters, digits, "-" or "_"',
  })
  QUEUE_PREFIX: string = 'backup-manager';

  @IsIn(['fs', 's3'])
  STORAGE_DRIVER: string = 'fs';

  @IsString()
  @MinLength(1)
  STORAGE_PATH: string = './data/backups';

  /**
   * the fs driver's storage is ready only while its file system has this many bytes free
   * (readiness says how many it has when not)
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  STORAGE_MIN_FREE_BYTES: number = 1024 * 1024 * 1024;

  @IsOptional() @IsString() S3_BUCKET?: string;
  @IsOptional() @IsString() S3_PREFIX?: string;
  @IsOptional() @IsString() S3_ENDPOINT?: string;
  @IsOptional() @IsString() S3_REGION?: string;
  @IsOptional() @IsString() S3_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() S3_SECRET_ACCESS_KEY?: string;
  @Transform(toBool) @IsBoolean() S3_FORCE_PATH_STYLE: boolean = false;

  @Validate(IsCronExpression)
  BACKUP_SCHEDULE: string = '30 1 * * *';

  /** minutes over which the daily scheduled backups are spread */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1440)
  BACKUP_SCHEDULE_JITTER: number = 30;

  /** when each instance's newest unverified backup is verified (cron, UTC), spread as backups are */
  @Validate(IsCronExpression)
  VERIFY_SCHEDULE: string = '30 5 * * *';

  /** verifications running at once across all workers (unset: one per worker) */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  VERIFY_CONCURRENCY?: number;

  @Transform(toBool)
  @IsBoolean()
  DOWNLOADS_ENABLED: boolean = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  MIN_ENCRYPTION_KEY_LENGTH: number = 8;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000)
  DEFAULT_MIN_BACKUP_COUNT: number = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000)
  DEFAULT_RETENTION_TIME: number = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  DELETED_INSTANCE_RETENTION_DAYS: number = 30;

  /** days the record of a pruned (`deleted`) backup stays listed; 0 keeps records forever */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100000)
  DELETED_RECORD_RETENTION_DAYS: number = 90;

  /** days a record of the audit log is kept; 0 keeps them forever */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100000)
  AUDIT_RETENTION_DAYS: number = 400;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY: number = 2;

  /** write-ahead-log receivers (continuous archiving) one worker holds at most */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  WAL_RECEIVERS_PER_WORKER: number = 10;

  /** seconds between two looks for completed WAL segments to ship to storage */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  WAL_SHIP_INTERVAL: number = 5;

  /**
   * seconds a worker's hold on a WAL receiver lasts unless renewed (it renews every third of
   * that); a worker that stalls longer loses the receiver to another
   */
  @Transform(toInt)
  @IsInt()
  @Min(3)
  @Max(3600)
  WAL_RECEIVER_LEASE_SECONDS: number = 30;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  UPSTREAM_TIMEOUT_MS: number = 5000;

  /** how long a webhook receiver has to answer one delivery attempt */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  WEBHOOK_TIMEOUT_MS: number = 10000;

  /** the wait after a delivery's first failed attempt; it doubles after each one, up to an hour */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3600000)
  WEBHOOK_RETRY_BASE_MS: number = 30000;

  /** how often a worker looks for webhook deliveries that are due */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600000)
  WEBHOOK_POLL_MS: number = 1000;

  /** connections one process keeps to its database at most */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE: number = 10;

  /** how long a request waits for a free database connection before it is answered 503 */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  DATABASE_POOL_TIMEOUT_MS: number = 10000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** failed authentications (admin token, Backup Manager password) an address may have a minute */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  AUTH_FAILURES_PER_MINUTE: number = 10;

  /** where webhooks may be delivered (AddressPolicy): keywords, CIDRs and host names */
  @IsString()
  WEBHOOK_ALLOWED_HOSTS: string = 'external';

  /** the bearer token of /metrics (the admin token opens it too) */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;
}

/**
 * Parses and validates the environment. Empty strings count as unset so that
 * `FOO=` in a compose file falls back to the default. Throws one ConfigError listing every
 * bad variable by name.
 */
export function parseEnvironment(raw: NodeJS.ProcessEnv): Environment {
  const known = Object.keys(new Environment()).concat([
    'ADMIN_TOKEN',
    'MASTER_KEY',
    'BACKUP_MANAGER_PASSWORD',
    'METRICS_TOKEN',
  ]);
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(withSecretFiles(raw))) {
    if (value !== undefined && value !== '' && (known.includes(name) || name.startsWith('S3_'))) {
      input[name] = value;
    }
  }
  const env = plainToInstance(Environment, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new ConfigError(`invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  try {
    new AddressPolicy(env.WEBHOOK_ALLOWED_HOSTS);
  } catch (err) {
    throw new ConfigError(
      `invalid configuration:\n  - WEBHOOK_ALLOWED_HOSTS ${(err as Error).message}`,
    );
  }
  const tls = tlsProblems(env);
  if (tls.length > 0) throw new ConfigError(`invalid configuration:\n  - ${tls.join('\n  - ')}`);
  if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) {
    throw new ConfigError(
      'invalid configuration:\n  - S3_BUCKET must be set when STORAGE_DRIVER is s3',
    );
  }
  return env;
}

/**
 * The settings that hold a secret, each of which can be given as a file instead: `<NAME>_FILE`
 * names a file whose content (without a final line break) is the value, the convention of
 * Docker's and Kubernetes' secrets. A secret in a file is not in the process's environment,
 * where every process of the same user could read it (`/proc/<pid>/environ`).
 */
export const SECRET_SETTINGS = [
  'ADMIN_TOKEN',
  'MASTER_KEY',
  'BACKUP_MANAGER_PASSWORD',
  'METRICS_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;

/** `raw` with each `<NAME>_FILE` of SECRET_SETTINGS read into `<NAME>`. */
function withSecretFiles(raw: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...raw };
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const file = raw[`${name}_FILE`];
    if (!file) continue;
    if (raw[name]) {
      problems.push(`${name} and ${name}_FILE are both set; set one`);
      continue;
    }
    try {
      env[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(
        `${name}_FILE: ${file} cannot be read (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}

/** The TLS parameters of the service's own DATABASE_URL and REDIS_URL (docs/operating.md, TLS). */
function tlsProblems(env: Environment): string[] {
  const problems: string[] = [];
  const db = new URL(env.DATABASE_URL).searchParams;
  const mode = db.get('sslmode');
  if (mode !== null && !SSL_MODES.includes(mode)) {
    problems.push(`DATABASE_URL: sslmode must be one of ${SSL_MODES.join(', ')}`);
  }
  if ((mode === 'verify-ca' || mode === 'verify-full') && !db.has('sslrootcert')) {
    problems.push(`DATABASE_URL: sslmode=${mode} needs sslrootcert (the CA's certificate file)`);
  }
  const redis = new URL(env.REDIS_URL);
  for (const name of redis.searchParams.keys()) {
    if (!REDIS_TLS_PARAMETERS.includes(name)) {
      problems.push(
        `REDIS_URL takes no parameter "${name}"; it takes ${REDIS_TLS_PARAMETERS.join(', ')}`,
      );
    } else if (redis.protocol !== 'rediss:') {
      problems.push(`REDIS_URL: ${name} needs the rediss:// scheme`);
    }
  }
  return problems;
}
