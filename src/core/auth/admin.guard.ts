import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { UnauthorizedError } from '../errors/domain-errors';
import { secretsEqual } from '../secrets/secrets-equal';
import { bearerToken } from './bearer';

/** Admin routes answer only to `Authorization: Bearer $ADMIN_TOKEN`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<Request>());
    if (token === null || !secretsEqual(token, this.config.adminToken)) {
      throw new UnauthorizedError('Admin routes require "Authorization: Bearer <ADMIN_TOKEN>".');
    }
    return true;
  }
}
