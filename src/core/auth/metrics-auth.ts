import type { AppConfig } from '../config/app-config';
import { secretsEqual } from '../secrets/secrets-equal';
import { bearerOf } from './bearer';

/**
 * Whether an `Authorization` header opens /metrics (the API's and each worker's): a bearer
 * METRICS_TOKEN, so that Prometheus never holds the admin token, or the admin token itself.
 * The metrics name every tenant's instances, so they are not for anyone who can reach the port.
 */
export function opensMetrics(header: string | undefined, config: AppConfig): boolean {
  const token = bearerOf(header);
  if (token === null) return false;
  const admin = secretsEqual(token, config.adminToken);
  const metrics = config.metricsToken !== null && secretsEqual(token, config.metricsToken);
  return admin || metrics;
}

export const METRICS_UNAUTHORIZED =
  '/metrics requires "Authorization: Bearer <METRICS_TOKEN>" (or the admin token).';
