import { Inject, Injectable, Logger } from '@nestjs/common';
import { writeArchive } from '../archive/archive-format';
import { ByteProgress } from '../archive/byte-progress';
import { retryWhileDatabaseUnavailable } from '../core/prisma/database-retry';
import { startHeartbeat } from '../jobs/heartbeat';
import { startProgress } from '../jobs/progress';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { SecretBox } from '../core/secrets/secret-box';
import { containFailures } from '../core/async/contain-failures';
import type { ContentCounter } from '../engines/shared/dump-engine';
import { DumpEngines } from '../engines/engines';
import type { Backup, Instance } from '../generated/prisma/client';
import { credentialsContext } from '../instances/credentials';
import { InstancesRepository } from '../instances/instances.repository';
import { JobMetrics } from '../metrics/job-metrics';
import { archiveKey } from '../storage/archive-key';
import { OrphanArchivesRepository } from '../storage/orphan-archives.repository';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { BackupsRepository } from './backups.repository';

/** A backup that cannot run at all (its instance is gone); retrying would not help. */
export class BackupNotRunnableError extends Error {}

/**
 * The worker's side of a backup: dump → gzip → encrypt → storage, then record the result.
 * Safe to run again for the same backup (after a crash or a failed attempt): it starts over
 * and removes what an earlier attempt left behind.
 */
@Injectable()
export class BackupRunner {
  private readonly logger = new Logger(BackupRunner.name);

  constructor(
    private readonly backups: BackupsRepository,
    private readonly instances: InstancesRepository,
    private readonly keys: EncryptionKeysRepository,
    private readonly engines: DumpEngines,
    private readonly box: SecretBox,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly orphans: OrphanArchivesRepository,
    private readonly metrics: JobMetrics,
  ) {}

  async run(pk: bigint, backupId: string): Promise<void> {
    const found = await this.backups.findByPk(pk);
    // a job whose row is gone (taken back after a failed enqueue) or is not its backup
    const backup = found?.backupId === backupId ? found : null;
    if (!backup || (backup.status !== 'queued' && backup.status !== 'running')) {
      this.logger.log({
        msg: 'backup no longer pending, skipped',
        backupPk: String(pk),
        status: backup?.status ?? 'missing',
      });
      return;
    }
    const instance = await this.instances.find(backup.instanceId);
    if (!instance || instance.deletedAt) {
      throw new BackupNotRunnableError('the instance was deregistered before the backup ran');
    }
    const key = archiveKey(backup);
    await this.storage.removePartials(key);
    if (!(await this.backups.markRunning(pk))) return;
    this.logger.log({ msg: 'backup started', backupId: backup.backupId, type: instance.type });
    const stopHeartbeat = startHeartbeat(() => this.backups.heartbeat(pk), this.logger, {
      backupId: backup.backupId,
    });
    const progress = new ByteProgress();
    const stopProgress = startProgress(progress, (p) => this.backups.recordProgress(pk, p));
    try {
      // whatever fails inside the dump tool or its streams fails this backup, not the worker
      await containFailures(() => this.dumpAndRecord(pk, backup, instance, key, progress));
    } finally {
      stopProgress();
      stopHeartbeat();
    }
  }

  private async dumpAndRecord(
    pk: bigint,
    backup: Backup,
    instance: Instance,
    key: string,
    progress: ByteProgress,
  ): Promise<void> {
    const connectionUrl = this.box.open(instance.credentials, credentialsContext(instance.id));
    const passphrase = await this.keys.passphrase(backup.encryptionKeyId);
    const started = Date.now();
    let archive: { size: bigint; sha256: string } | undefined;
    let walStartLsn: string | null = null;
    let counter: ContentCounter | undefined;
    await this.storage.write(key, async (sink) => {
      const engine = this.engines.forInstance(instance);
      walStartLsn = (await engine.walPosition?.(connectionUrl, instance.id)) ?? null;
      const dump = await engine.dump(connectionUrl);
      // an attempt after a failed one counts from the start again
      counter = engine.contentCounter?.();
      progress.read = progress.written = 0;
      archive = await writeArchive(
        dump,
        passphrase,
        sink,
        counter && ((c) => counter!.see(c)),
        progress,
      );
    });
    const contents = counter?.tables() ?? null;
    // the archive is complete: a database that is away for a while must not cost it
    const done = await retryWhileDatabaseUnavailable(
      () =>
        this.backups.markDone(pk, {
          storageKey: key,
          ...archive!,
          walStartLsn,
          contents,
          dumpBytes: progress.read,
        }),
      { what: `result of backup ${backup.backupId}`, logger: this.logger },
    );
    if (!done) {
      // given up on meanwhile (e.g. by the recovery sweep): do not keep an archive nobody lists
      await this.storage.delete(key);
      return;
    }
    const seconds = (Date.now() - started) / 1000;
    this.metrics.backupFinished(instance.type, 'done', seconds, Number(archive!.size));
    this.logger.log({
      msg: 'backup done',
      backupId: backup.backupId,
      bytes: Number(archive!.size),
      seconds,
    });
  }

  /** Records a backup as failed for good, and removes any partial archive. */
  async fail(pk: bigint, reason: string): Promise<void> {
    const backup = await this.backups.findByPk(pk);
    if (!backup) return;
    // best effort: storage being down may be why the backup failed, and must not keep it
    // running; what could not be removed is remembered and removed by a later hourly pass
    const key = archiveKey(backup);
    await this.storage.removePartials(key).catch(async (err: Error) => {
      this.logger.warn({
        msg: 'partial archive not removed; a later pass tries again',
        backupId: backup.backupId,
        error: err.message,
      });
      await this.orphans.record([{ storageKey: key, partial: true }]);
    });
    const ended = await this.backups.markFailed(pk, reason);
    if (ended) {
      this.logger.warn({ msg: 'backup failed', backupId: backup.backupId, reason });
      const instance = await this.instances.find(backup.instanceId).catch(() => null);
      const seconds = ended.startedAt
        ? (ended.finishedAt.getTime() - ended.startedAt.getTime()) / 1000
        : null;
      this.metrics.backupFinished(instance?.type ?? 'unknown', 'failed', seconds);
    }
  }
}
