import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTBEAT_EVERY_MS } from '../backups/backup-runner.service';
import { BackupsRepository } from '../backups/backups.repository';
import { Clock } from '../core/clock/clock';
import { retryWhileDatabaseUnavailable } from '../core/prisma/database-retry';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { createOpensslDecryptStream } from '../crypto/openssl-enc';
import { SecretBox } from '../crypto/secret-box';
import { DumpEngines } from '../engines/engines';
import { RestoreFailedError } from '../engines/restore-process';
import type { Backup, Instance, Restore } from '../generated/prisma/client';
import { credentialsContext } from '../instances/credentials';
import { InstancesRepository } from '../instances/instances.repository';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { RestoresRepository } from './restores.repository';

/**
 * The worker's side of a restore: verify the stored archive against the SHA-256 recorded at
 * backup time, then stream it from storage through decryption (with the key that encrypted that
 * backup) and gunzip into the instance's restore tool. Nothing is applied before the checksum
 * matched. A restore runs once: whatever stops it half-way ends it `failed`.
 */
@Injectable()
export class RestoreRunner {
  private readonly logger = new Logger(RestoreRunner.name);

  constructor(
    private readonly restores: RestoresRepository,
    private readonly backups: BackupsRepository,
    private readonly instances: InstancesRepository,
    private readonly keys: EncryptionKeysRepository,
    private readonly engines: DumpEngines,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
  ) {}

  async run(pk: bigint): Promise<void> {
    const restore = await this.restores.findByPk(pk);
    if (!restore || restore.status !== 'queued') {
      // running already means a worker died in it: the recovery sweep fails it, never re-runs it
      this.logger.log({ msg: 'restore not queued, skipped', restorePk: String(pk) });
      return;
    }
    const [backup, instance] = await Promise.all([
      this.backups.findByPk(restore.backupPk),
      this.instances.find(restore.instanceId),
    ]);
    if (!instance || instance.deletedAt) {
      return this.fail(restore, 'the instance was deregistered before the restore ran');
    }
    if (!backup || backup.status !== 'done' || !backup.storageKey || !backup.sha256) {
      return this.fail(restore, 'the backup was pruned before the restore ran');
    }
    if (!(await this.restores.markRunning(pk, this.clock.now()))) return;
    this.logger.log({ msg: 'restore started', restorePk: String(pk), backupId: backup.backupId });
    const started = Date.now();
    const heartbeat = setInterval(() => {
      this.restores.heartbeat(pk).catch(() => undefined);
    }, HEARTBEAT_EVERY_MS);
    try {
      await this.verify(backup);
      await this.apply(backup, instance);
    } catch (err) {
      clearInterval(heartbeat);
      return this.fail(restore, reasonFor(err));
    }
    clearInterval(heartbeat);
    await retryWhileDatabaseUnavailable(() => this.restores.markDone(pk, this.clock.now()), {
      what: `result of restore ${String(pk)}`,
      logger: this.logger,
    });
    this.logger.log({
      msg: 'restore done',
      restorePk: String(pk),
      backupId: backup.backupId,
      seconds: (Date.now() - started) / 1000,
    });
  }

  /** Reads the whole archive once and compares its SHA-256 with the one recorded at backup time. */
  private async verify(backup: Backup): Promise<void> {
    const hash = createHash('sha256');
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    });
    await this.copyArchive(backup, sink);
    if (hash.digest('hex') !== backup.sha256) {
      throw new RestoreFailedError(
        "the archive's SHA-256 does not match the one recorded when the backup was made: it was changed or damaged in storage, and nothing was restored",
      );
    }
  }

  /** Streams storage → decrypt → gunzip → the engine's restore tool. */
  private async apply(backup: Backup, instance: Instance): Promise<void> {
    const passphrase = await this.keys.passphrase(backup.encryptionKeyId);
    const connectionUrl = this.box.open(instance.credentials, credentialsContext(instance.id));
    const decrypt = createOpensslDecryptStream(passphrase);
    const content = new PassThrough({ highWaterMark: 1024 * 1024 });
    const decoding = pipeline(decrypt, createGunzip(), content);
    const applying = this.engines.for(instance.type).restore(connectionUrl, content);
    const copying = this.copyArchive(backup, decrypt).then(
      () => void decrypt.end(),
      (err: Error) => void decrypt.destroy(err),
    );
    const [, decoded, applied] = await Promise.allSettled([copying, decoding, applying]);
    // the tool's verdict first: when the input broke, it carries that error
    if (applied.status === 'rejected') throw applied.reason;
    if (decoded.status === 'rejected') throw decoded.reason;
  }

  private async copyArchive(backup: Backup, sink: Writable): Promise<void> {
    const reader = await this.storage.openRange(backup.storageKey!, {
      start: 0,
      end: Number(backup.size) - 1,
    });
    await reader.copyTo(sink);
  }

  private async fail(restore: Restore, reason: string): Promise<void> {
    if (await this.restores.markFailed(restore.pk, reason, this.clock.now())) {
      this.logger.warn({ msg: 'restore failed', restorePk: String(restore.pk), reason });
    }
  }
}

/** What a person is told when a restore fails; never a secret (tool output is redacted). */
function reasonFor(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RestoreFailedError) return message;
  if (/incorrect header check|invalid|unexpected end of file|gzip/i.test(message)) {
    return `the archive's content is not valid gzip (${message}); it was changed or damaged`;
  }
  if (/decrypt|Salted|header/i.test(message))
    return `the archive could not be decrypted: ${message}`;
  return `the restore stopped: ${message}`;
}
