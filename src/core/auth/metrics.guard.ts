import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { UnauthorizedError } from '../errors/domain-errors';
import { AuthFailures } from './auth-failures';
import { METRICS_UNAUTHORIZED, opensMetrics } from './metrics-auth';

/** The API's /metrics: METRICS_TOKEN or the admin token (opensMetrics). */
@Injectable()
export class MetricsGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly failures: AuthFailures,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    this.failures.checkAllowed(req);
    if (!opensMetrics(req.headers.authorization, this.config)) {
      this.failures.failed(req, 'metrics token');
      throw new UnauthorizedError(METRICS_UNAUTHORIZED);
    }
    return true;
  }
}
