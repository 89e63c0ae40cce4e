import { Inject, Injectable, Logger } from '@nestjs/common';
import { ByteProgress } from '../archive/byte-progress';
import { readArchive } from '../archive/read-archive';
import { BackupsRepository } from '../backups/backups.repository';
import { retryWhileDatabaseUnavailable } from '../core/prisma/database-retry';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { SecretBox } from '../core/secrets/secret-box';
import { containFailures } from '../core/async/contain-failures';
import type { RecoveryOptions } from '../engines/shared/dump-engine';
import { DumpEngines } from '../engines/engines';
import { RestoreFailedError } from '../engines/shared/restore-process';
import type { Backup, Instance, Restore } from '../generated/prisma/client';
import { credentialsContext } from '../instances/credentials';
import { InstancesRepository } from '../instances/instances.repository';
import { startHeartbeat } from '../jobs/heartbeat';
import { startProgress } from '../jobs/progress';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { copyStored, storedSha256 } from '../storage/stored-archive';
import { JobMetrics } from '../metrics/job-metrics';
import { ArchivedLog } from '../pitr/archived-log';
import { RestoresRepository } from './restores.repository';

/**
 * The worker's side of a restore: stream the archive from storage through decryption (with the
 * key that encrypted that backup) and gunzip into the instance's restore tool, and make sure
 * nothing of it takes effect unless its SHA-256 matches the one recorded at backup time. A
 * restore runs once: whatever stops it half-way ends it `failed`.
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
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly metrics: JobMetrics,
    private readonly archivedLog: ArchivedLog,
  ) {}

  async run(pk: bigint): Promise<void> {
    const restore = await this.restores.findByPk(pk);
    if (!restore || restore.status !== 'queued') {
      // running already means a worker died in it: the recovery sweep fails it, never re-runs it
      this.logger.log({ msg: 'restore not queued, skipped', restorePk: String(pk) });
      return;
    }
    // a fork writes into its target, with the target's credentials
    const [backup, instance] = await Promise.all([
      this.backups.findByPk(restore.backupPk),
      this.instances.find(restore.targetInstanceId ?? restore.instanceId),
    ]);
    if (!instance || instance.deletedAt) {
      return this.fail(restore, 'the instance was deregistered before the restore ran');
    }
    if (!backup || backup.status !== 'done' || !backup.storageKey || !backup.sha256) {
      // not expected: an accepted restore holds its backup (active_restores) until it ends
      return this.fail(restore, 'the backup was deleted before the restore ran');
    }
    if (!(await this.restores.markRunning(pk))) return;
    this.logger.log({
      msg: 'restore started',
      restorePk: String(pk),
      backupId: backup.backupId,
      ...(restore.targetInstanceId ? { targetInstanceId: restore.targetInstanceId } : {}),
    });
    const started = Date.now();
    const stopHeartbeat = startHeartbeat(() => this.restores.heartbeat(pk), this.logger, {
      restorePk: String(pk),
    });
    const progress = new ByteProgress();
    const stopProgress = startProgress(progress, (p) => this.restores.recordProgress(pk, p));
    try {
      // whatever fails inside the tools fails this restore, not the worker
      await containFailures(async () => {
        const recovery = await this.recoveryFor(restore, backup);
        const source = restore.targetInstanceId
          ? await this.instances.find(restore.instanceId)
          : instance;
        await this.verifyAndApply(backup, instance, source, recovery, progress);
      });
    } catch (err) {
      return this.fail(restore, reasonFor(err));
    } finally {
      stopProgress();
      stopHeartbeat();
    }
    await retryWhileDatabaseUnavailable(() => this.restores.markDone(pk, progress.read), {
      what: `result of restore ${String(pk)}`,
      logger: this.logger,
    });
    this.metrics.restoresFinished.inc({ status: 'done' });
    this.logger.log({
      msg: 'restore done',
      restorePk: String(pk),
      backupId: backup.backupId,
      seconds: (Date.now() - started) / 1000,
    });
  }

  /**
   * Nothing of a damaged archive may be applied. An engine whose restore is one transaction gets
   * the archive in one pass and commits only if its SHA-256, computed on the way, matches the
   * one recorded at backup time; any other engine gets it only after a first pass checked it.
   */
  private async verifyAndApply(
    backup: Backup,
    instance: Instance,
    source: Instance | null,
    recovery: RecoveryOptions | undefined,
    progress: ByteProgress,
  ): Promise<void> {
    const engine = this.engines.forRestore(instance.type);
    const passphrase = await this.keys.passphrase(backup.encryptionKeyId);
    const open = (i: Instance) => this.box.open(i.credentials, credentialsContext(i.id));
    const connectionUrl = open(instance);
    // a base backup is read with the names of the instance it was taken from (a fork's source)
    const sourceUrl = source && source.id !== instance.id ? open(source) : connectionUrl;
    const damaged = () =>
      new RestoreFailedError(
        "the archive's SHA-256 does not match the one recorded when the backup was made: it was changed or damaged in storage, and nothing was restored",
      );
    if (
      !engine.transactionalRestore &&
      (await storedSha256(this.storage, backup)) !== backup.sha256
    ) {
      throw damaged();
    }
    try {
      await readArchive(
        {
          copy: (sink) => copyStored(this.storage, backup, sink),
          passphrase,
          progress,
          consume: (content, sha256) =>
            engine.restore(connectionUrl, content, {
              recovery,
              sourceConnectionUrl: sourceUrl,
              beforeCommit: () => {
                if (sha256() !== backup.sha256) throw damaged();
              },
            }),
        },
        // the tool's verdict first: it names what the target refused
        (err) => err instanceof RestoreFailedError,
      );
    } catch (failure) {
      // a damaged archive may make the tool stop before the end: say that it was the archive
      if (engine.transactionalRestore) {
        const digest = await storedSha256(this.storage, backup).catch(() => undefined); // storage away: unknown
        if (digest !== undefined && digest !== backup.sha256) throw damaged();
      }
      throw failure;
    }
  }

  /**
   * A point-in-time restore: the archived log from the base backup on, up to the moment
   * (ArchivedLog), to the microsecond as it was asked for.
   */
  private async recoveryFor(
    restore: Restore,
    backup: Backup,
  ): Promise<RecoveryOptions | undefined> {
    const moment = restore.pointInTime;
    if (!moment) return undefined;
    // to the microsecond, as the moment was asked for and as commit times are kept
    const micros =
      (await this.restores.pointInTimeMicros(restore.pk)) ?? BigInt(moment.getTime()) * 1000n;
    return this.archivedLog.toMoment(restore.instanceId, backup, moment, micros);
  }

  private async fail(restore: Restore, reason: string): Promise<void> {
    if (await this.restores.markFailed(restore.pk, reason)) {
      this.logger.warn({ msg: 'restore failed', restorePk: String(restore.pk), reason });
      this.metrics.restoresFinished.inc({ status: 'failed' });
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
