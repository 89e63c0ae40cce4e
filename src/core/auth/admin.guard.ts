import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { UnauthorizedError } from '../errors/domain-errors';
import { secretsEqual } from '../secrets/secrets-equal';
import { AuthFailures } from './auth-failures';
import { bearerToken } from './bearer';
import { setActor } from './actor';

/**
 * Admin routes answer only to `Authorization: Bearer $ADMIN_TOKEN`; an address that keeps
 * failing is held back (AuthFailures).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly failures: AuthFailures,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    this.failures.checkAllowed(req);
    const token = bearerToken(req);
    if (token === null || !secretsEqual(token, this.config.adminToken)) {
      this.failures.failed(req, 'admin token');
      throw new UnauthorizedError('Admin routes require "Authorization: Bearer <ADMIN_TOKEN>".');
    }
    setActor(req, { kind: 'admin' });
    return true;
  }
}
