import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/clock/clock';
import {
  AlreadyExistsError,
  InvalidParametersError,
  NotFoundError,
} from '../core/errors/domain-errors';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { SecretBox } from '../core/secrets/secret-box';
import { connectionUrlProblem } from './connection-url';
import { credentialsContext } from './credentials';
import { InstanceResponse, toInstanceResponse } from './dto/instance.response';
import { RegisterInstanceDto } from './dto/register-instance.dto';
import { InstancesRepository } from './instances.repository';

@Injectable()
export class InstancesService {
  constructor(
    private readonly instances: InstancesRepository,
    private readonly keys: EncryptionKeysRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers an instance with its sealed credentials, a random platform encryption key and
   * the default backups config, all in one transaction.
   */
  async register(dto: RegisterInstanceDto): Promise<InstanceResponse> {
    const problem = connectionUrlProblem(dto.type, dto.connection_url);
    if (problem) throw new InvalidParametersError(problem);
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
        backupType: dto.backup_type ?? 'standard',
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
    const instance = await this.instances.findRegistered(id);
    if (!instance) throw new NotFoundError(`No registered instance has the id "${id}".`);
    return toInstanceResponse(instance);
  }

  async deregister(id: string): Promise<void> {
    if (!(await this.instances.markDeleted(id, this.clock.now()))) {
      throw new NotFoundError(`No registered instance has the id "${id}".`);
    }
  }
}
