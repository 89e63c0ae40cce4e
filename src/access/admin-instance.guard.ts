import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UseGuards,
  applyDecorators,
} from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminGuard } from '../core/auth/admin.guard';
import { AuthFailures } from '../core/auth/auth-failures';
import { AppConfig } from '../core/config/app-config';
import { InstanceNotFoundError } from '../core/errors/domain-errors';
import { ADMIN_AUTH } from '../core/openapi/api-errors';
import { InstancesRepository } from '../instances/instances.repository';
import type { AccessedInstance } from './access.repository';

type AdminInstanceRequest = Request & { instance?: AccessedInstance; grantedInstances?: string[] };

/**
 * Guards the admin routes that act on one instance as its token would
 * (`/admin/v1/instances/:id/backups`, `…/restores`): 401 without the admin token, 404 when no
 * registered instance has the id. The handler gets the instance through @CurrentInstance(), and
 * the admin's grants are every instance (@TokenGrants() is ["*"]): an operator may fork into any.
 */
@Injectable()
export class AdminInstanceGuard implements CanActivate {
  private readonly admin: AdminGuard;

  constructor(
    config: AppConfig,
    failures: AuthFailures,
    private readonly instances: InstancesRepository,
  ) {
    this.admin = new AdminGuard(config, failures);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    this.admin.canActivate(context);
    const req = context.switchToHttp().getRequest<AdminInstanceRequest>();
    const id = String(req.params.id);
    const instance = await this.instances.find(id);
    if (!instance || instance.deletedAt) throw new InstanceNotFoundError(id);
    req.instance = {
      id: instance.id,
      name: instance.name,
      type: instance.type,
      backupType: instance.backupType,
    };
    req.grantedInstances = ['*'];
    return true;
  }
}

/**
 * An `/admin/v1/instances/:id/…` controller that acts on one instance as its token would: the
 * guard, the admin token, and the instance's id in the OpenAPI document.
 */
export const AdminInstanceRoutes = () =>
  applyDecorators(
    UseGuards(AdminInstanceGuard),
    ApiTags('admin'),
    ApiBearerAuth(ADMIN_AUTH),
    ApiParam({ name: 'id', description: 'The id of a registered instance.' }),
  );
