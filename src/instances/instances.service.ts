import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import {
  AlreadyExistsError,
  InvalidParametersError,
  NotFoundError,
} from '../core/errors/domain-errors';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { ConnectionCheckResult, failedSteps } from '../engines/shared/connection-check';
import { DumpEngines } from '../engines/engines';
import type { Instance } from '../generated/prisma/client';
import { SecretBox } from '../core/secrets/secret-box';
import { connectionUrlProblem } from './connection-url';
import { credentialsContext } from './credentials';
import { InstanceResponse, toInstanceResponse } from './dto/instance.response';
import { RegisterInstanceDto } from './dto/register-instance.dto';
import { PatchInstanceDto } from './dto/patch-instance.dto';
import { InstancesRepository } from './instances.repository';

@Injectable()
export class InstancesService {
  private readonly logger = new Logger(InstancesService.name);

  constructor(
    private readonly instances: InstancesRepository,
    private readonly keys: EncryptionKeysRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly engines: DumpEngines,
  ) {}

  /**
   * Registers an instance with its sealed credentials, a random platform encryption key and
   * the default backups config, all in one transaction.
   */
  async register(dto: RegisterInstanceDto, check = false): Promise<InstanceResponse> {
    const problem = connectionUrlProblem(dto.type, dto.connection_url);
    if (problem) throw new InvalidParametersError(problem);
    const backupType = dto.backup_type ?? 'standard';
    if (backupType === 'continuous_archiving' && dto.type === 'redis') {
      throw new InvalidParametersError(
        `backup_type continuous_archiving is for postgresql and mariadb instances only: a ${dto.type} instance has no log to archive; register it as standard.`,
      );
    }
    // a MariaDB source without a binlog fit for replay would never open a window: it is
    // checked whatever was asked
    const mustCheck = backupType === 'continuous_archiving' && dto.type === 'mariadb';
    if (check || mustCheck) await this.requireWorking(dto.type, backupType, dto.connection_url);
    const id = dto.id ?? randomUUID();
    const instance = await this.instances.transaction(async (tx) => {
      if (await this.instances.idTaken(tx, id)) {
        throw new AlreadyExistsError(
          `An instance with id "${id}" is or was registered; ids are never reused.`,
        );
      }
      const created = await this.instances.create(tx, {
        id,
        name: dto.name,
        type: dto.type,
        backupType,
        credentials: this.box.seal(dto.connection_url, credentialsContext(id)),
      });
      const platformKey = await this.keys.add(tx, id, 'platform');
      await this.instances.createConfig(tx, {
        instanceId: id,
        minBackupCount: this.config.defaultMinBackupCount,
        retentionTime: this.config.defaultRetentionTime,
        activeKeyId: platformKey.id,
      });
      return created;
    });
    return toInstanceResponse(instance);
  }

  async list(): Promise<InstanceResponse[]> {
    return (await this.instances.listRegistered()).map(toInstanceResponse);
  }

  async show(id: string): Promise<InstanceResponse> {
    return toInstanceResponse(await this.findRegistered(id));
  }

  /**
   * A new name and/or new credentials (re-sealed; the old ones are overwritten); the next
   * backup or restore uses them. `type` and `backup_type` may only be repeated unchanged.
   * With `check`, new or kept credentials must pass the connection check first.
   */
  async update(id: string, dto: PatchInstanceDto, check = false): Promise<InstanceResponse> {
    if (Object.values(dto).every((v) => v === undefined)) {
      throw new InvalidParametersError(
        'The request body must set at least one of name, connection_url.',
      );
    }
    const instance = await this.findRegistered(id);
    if (dto.type !== undefined && dto.type !== instance.type) {
      throw new InvalidParametersError(
        `type cannot change: instance "${id}" is ${instance.type}, and so are its backups; register a new instance for a ${dto.type} database.`,
      );
    }
    if (dto.backup_type !== undefined && dto.backup_type !== instance.backupType) {
      throw new InvalidParametersError(
        `backup_type cannot change: instance "${id}" is backed up as ${instance.backupType}; register a new instance to back it up as ${dto.backup_type}.`,
      );
    }
    if (dto.connection_url !== undefined) {
      const problem = connectionUrlProblem(instance.type, dto.connection_url);
      if (problem) throw new InvalidParametersError(problem);
    }
    if (check) {
      const url = dto.connection_url ?? this.connectionUrl(instance);
      await this.requireWorking(instance.type, instance.backupType, url);
    }
    const updated = await this.instances.update(id, {
      name: dto.name,
      credentials:
        dto.connection_url === undefined
          ? undefined
          : this.box.seal(dto.connection_url, credentialsContext(id)),
    });
    if (!updated) throw new NotFoundError(`No registered instance has the id "${id}".`);
    this.logger.log({
      msg: 'instance updated',
      instanceId: id,
      changed: Object.keys(dto).filter((k) => k === 'name' || k === 'connection_url'),
    });
    return toInstanceResponse(updated);
  }

  /** Connects to a registered instance as the worker would and says what works. */
  async check(id: string): Promise<ConnectionCheckResult> {
    const instance = await this.findRegistered(id);
    return this.runCheck(instance.type, instance.backupType, this.connectionUrl(instance));
  }

  async deregister(id: string): Promise<void> {
    if (!(await this.instances.markDeleted(id, this.clock.now()))) {
      throw new NotFoundError(`No registered instance has the id "${id}".`);
    }
  }

  private async findRegistered(id: string): Promise<Instance> {
    const instance = await this.instances.findRegistered(id);
    if (!instance) throw new NotFoundError(`No registered instance has the id "${id}".`);
    return instance;
  }

  private connectionUrl(instance: Instance): string {
    return this.box.open(instance.credentials, credentialsContext(instance.id));
  }

  private runCheck(
    type: Instance['type'],
    backupType: Instance['backupType'],
    url: string,
  ): Promise<ConnectionCheckResult> {
    return this.engines.for(type).check(url, {
      timeoutMs: this.config.upstreamTimeoutMs,
      replicationRequired: backupType === 'continuous_archiving',
    });
  }

  /** 422 naming every required step that did not pass. */
  private async requireWorking(
    type: Instance['type'],
    backupType: Instance['backupType'],
    url: string,
  ): Promise<void> {
    const result = await this.runCheck(type, backupType, url);
    if (result.ok) return;
    const failed = failedSteps(result);
    throw new InvalidParametersError(
      `The connection check failed, so nothing was changed: ${failed.map((c) => c.message).join(' ')}`,
    );
  }
}
