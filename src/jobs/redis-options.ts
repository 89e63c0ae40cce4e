import type { RedisOptions } from 'ioredis';

/**
 * Connection settings shared by the API's queue and the worker. Reconnects forever with a short
 * back-off, so that a Redis that comes back is used again without restarting anything.
 */
export function redisOptions(timeoutMs: number): RedisOptions {
  return {
    connectTimeout: timeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  };
}
