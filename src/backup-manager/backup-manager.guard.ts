import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AccessedInstance } from '../access/access.repository';
import { AppConfig } from '../core/config/app-config';
import { UnauthorizedError } from '../core/errors/domain-errors';
import { secretsEqual } from '../core/secrets/secrets-equal';
import { AuthFailures } from '../core/auth/auth-failures';
import { InstancesRepository } from '../instances/instances.repository';
import { InstanceGoneError, UnknownInstanceError } from './backup-manager.errors';
import { setActor } from '../core/auth/actor';

type ManagerRequest = Request & { instance?: AccessedInstance };

/** `user:password` of an `Authorization: Basic …` header, exactly as sent. */
function basicCredentials(req: Request): { user: string; password: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Guards the Backup Manager API: HTTP Basic with BACKUP_MANAGER_USERNAME and
 * BACKUP_MANAGER_PASSWORD (compared exactly, in constant time; nothing else opens it, and these
 * open nothing else; an address that keeps failing is held back by AuthFailures), then, on
 * routes with `:iid`, the instance: 404 `InstanceNotFound` when it never existed, 410
 * `InstanceNotFound` when it was deregistered.
 */
@Injectable()
export class BackupManagerGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly instances: InstancesRepository,
    private readonly failures: AuthFailures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<ManagerRequest>();
    this.failures.checkAllowed(req);
    const given = basicCredentials(req);
    const userOk = secretsEqual(given?.user ?? '', this.config.backupManagerUsername);
    const passwordOk = secretsEqual(given?.password ?? '', this.config.backupManagerPassword);
    if (!given || !userOk || !passwordOk) {
      this.failures.failed(req, 'Backup Manager credentials');
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Basic realm="backup-manager"');
      throw new UnauthorizedError(
        'The Backup Manager API requires HTTP Basic auth with BACKUP_MANAGER_USERNAME and BACKUP_MANAGER_PASSWORD.',
      );
    }
    setActor(req, { kind: 'backup-manager' });
    const iid = req.params.iid;
    if (iid === undefined) return true;
    const instance = await this.instances.find(String(iid));
    if (!instance) throw new UnknownInstanceError(String(iid));
    if (instance.deletedAt) throw new InstanceGoneError(String(iid));
    req.instance = {
      id: instance.id,
      name: instance.name,
      type: instance.type,
      backupType: instance.backupType,
    };
    return true;
  }
}
