import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseEnvironment } from './environment';
import { readOrCreateLocalSecret } from './local-secrets';
import { AppConfig } from './app-config';

describe('parseEnvironment', () => {
  it('applies the defaults docs/operating.md lists to an empty environment', () => {
    const env = parseEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      STORAGE_DRIVER: 'fs',
      STORAGE_PATH: './data/backups',
      BACKUP_SCHEDULE: '30 1 * * *',
      BACKUP_SCHEDULE_JITTER: 30,
      DOWNLOADS_ENABLED: true,
      MIN_ENCRYPTION_KEY_LENGTH: 8,
      DEFAULT_MIN_BACKUP_COUNT: 5,
      DEFAULT_RETENTION_TIME: 5,
      DELETED_INSTANCE_RETENTION_DAYS: 30,
      UPSTREAM_TIMEOUT_MS: 5000,
      WEBHOOK_TIMEOUT_MS: 10000,
      WEBHOOK_RETRY_BASE_MS: 30000,
      WEBHOOK_POLL_MS: 1000,
      LOG_LEVEL: 'info',
    });
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/.*127\.0\.0\.1/);
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('parses numbers and booleans from strings', () => {
    const env = parseEnvironment({
      PORT: '8080',
      DOWNLOADS_ENABLED: 'false',
      WORKER_CONCURRENCY: '4',
    });
    expect(env.PORT).toBe(8080);
    expect(env.DOWNLOADS_ENABLED).toBe(false);
    expect(env.WORKER_CONCURRENCY).toBe(4);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DOWNLOADS_ENABLED', 'maybe'],
    ['BACKUP_SCHEDULE', 'every day'],
    ['BACKUP_SCHEDULE', '61 1 * * *'],
    ['STORAGE_DRIVER', 'ftp'],
    ['MIN_ENCRYPTION_KEY_LENGTH', '0'],
    ['UPSTREAM_TIMEOUT_MS', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'redis://127.0.0.1:6379?cacert=/etc/ca.pem'],
    ['REDIS_URL', 'rediss://127.0.0.1:6379?ca=/etc/ca.pem'],
    ['DATABASE_URL', 'postgresql://u@h/db?sslmode=verify-full'],
    ['DATABASE_URL', 'postgresql://u@h/db?sslmode=sure'],
    ['MASTER_KEY', 'too-short'],
    ['ADMIN_TOKEN', 'short'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => parseEnvironment({ [name]: value })).toThrow(ConfigError);
    expect(() => parseEnvironment({ [name]: value })).toThrow(name);
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => parseEnvironment({ DATABASE_URL: 'mysql://u:hunter2@h/db' })).toThrow(
      /DATABASE_URL/,
    );
    try {
      parseEnvironment({ DATABASE_URL: 'mysql://u:hunter2@h/db' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('requires S3_BUCKET for the s3 driver', () => {
    expect(() => parseEnvironment({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET/);
  });
});

describe('readOrCreateLocalSecret', () => {
  it('creates a secret once and returns the same one afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-secret-'));
    const first = readOrCreateLocalSecret('admin-token', dir);
    const second = readOrCreateLocalSecret('admin-token', dir);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.value).toBe(first.value);
    expect(readFileSync(first.path, 'utf8').trim()).toBe(first.value);
  });
});

describe('AppConfig in production', () => {
  it('names every missing secret in one message', () => {
    let message = '';
    try {
      AppConfig.fromEnvironment({ NODE_ENV: 'production' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('ADMIN_TOKEN (or ADMIN_TOKEN_FILE) must be set');
    expect(message).toContain('MASTER_KEY (or MASTER_KEY_FILE) must be set');
  });

  it('reads each secret from the file its _FILE setting names, without the final line break', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-secrets-'));
    const file = (name: string, value: string) => {
      writeFileSync(join(dir, name), value, { mode: 0o600 });
      return join(dir, name);
    };
    const config = AppConfig.fromEnvironment({
      NODE_ENV: 'production',
      ADMIN_TOKEN_FILE: file('admin', 'admin-token-from-a-file\n'),
      MASTER_KEY_FILE: file('master', 'm'.repeat(64)),
      BACKUP_MANAGER_PASSWORD_FILE: file('bm', 'password-from-a-file\r\n'),
      METRICS_TOKEN_FILE: file('metrics', 'metrics-token-from-a-file\n'),
      DATABASE_URL_FILE: file('db', 'postgresql://app:secret@db:5432/bm\n'),
    });
    expect(config.adminToken).toBe('admin-token-from-a-file');
    expect(config.masterKey).toBe('m'.repeat(64));
    expect(config.backupManagerPassword).toBe('password-from-a-file');
    expect(config.metricsToken).toBe('metrics-token-from-a-file');
    expect(config.databaseUrl).toBe('postgresql://app:secret@db:5432/bm');
    expect(config.generatedSecretFiles).toEqual([]);
  });

  it('refuses a secret given twice, or a file it cannot read, naming the setting', () => {
    const both = () =>
      parseEnvironment({ ADMIN_TOKEN: 'x'.repeat(20), ADMIN_TOKEN_FILE: '/nonexistent' });
    expect(both).toThrow('ADMIN_TOKEN and ADMIN_TOKEN_FILE are both set');
    const missing = () => parseEnvironment({ MASTER_KEY_FILE: '/nonexistent/master-key' });
    expect(missing).toThrow('MASTER_KEY_FILE: /nonexistent/master-key cannot be read (ENOENT)');
  });
});
