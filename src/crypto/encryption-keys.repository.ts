import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Tx } from '../core/prisma/prisma.service';
import { PrismaService } from '../core/prisma/prisma.service';
import type { EncryptionKey, EncryptionKeyOrigin } from '../generated/prisma/client';
import { SecretBox } from '../core/secrets/secret-box';

/**
 * Every backup encryption key an instance ever had, sealed under MASTER_KEY. Keys are only ever
 * added, so each backup can still be opened with the key that encrypted it.
 */
@Injectable()
export class EncryptionKeysRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly box: SecretBox,
  ) {}

  /** Stores a key; a platform key is generated (256 random bits) when no passphrase is given. */
  add(
    tx: Tx,
    instanceId: string,
    origin: EncryptionKeyOrigin,
    passphrase?: string,
  ): Promise<EncryptionKey> {
    const id = randomUUID();
    const secret = passphrase ?? randomBytes(32).toString('base64url');
    return tx.encryptionKey.create({
      data: { id, instanceId, origin, sealed: this.box.seal(secret, context(id, instanceId)) },
    });
  }

  /** The passphrase of a stored key. */
  async passphrase(id: string): Promise<string> {
    const key = await this.prisma.encryptionKey.findUniqueOrThrow({ where: { id } });
    return this.box.open(key.sealed, context(key.id, key.instanceId));
  }
}

const context = (keyId: string, instanceId: string) => `encryption-key:${instanceId}:${keyId}`;
