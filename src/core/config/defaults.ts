/** Local defaults: what a newcomer's machine with PostgreSQL and Redis on 127.0.0.1 needs. */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/backup_manager';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
