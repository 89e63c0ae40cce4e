import { ArchivedLog } from '../pitr/archived-log';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { readArchive } from '../archive/read-archive';
import { BackupsRepository } from '../backups/backups.repository';
import { retryWhileDatabaseUnavailable } from '../core/prisma/database-retry';
import { SecretBox } from '../core/secrets/secret-box';
import { containFailures } from '../core/async/contain-failures';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { splitQualifiedName } from '../engines/postgresql/copy-row-counter';
import type { ScratchInventory, TableCount } from '../engines/shared/dump-engine';
import { DumpEngines } from '../engines/engines';
import { RestoreFailedError } from '../engines/shared/restore-process';
import type { Backup, Instance } from '../generated/prisma/client';
import { credentialsContext } from '../instances/credentials';
import { InstancesRepository } from '../instances/instances.repository';
import { startHeartbeat } from '../jobs/heartbeat';
import { JobMetrics } from '../metrics/job-metrics';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { copyStored, storedSha256 } from '../storage/stored-archive';
import { VerificationResult, VerificationsRepository } from './verifications.repository';

/** A verification's verdict, with what it saw. */
class VerificationFailed extends Error {
  constructor(
    message: string,
    readonly seen?: { tables: number; rows: bigint },
  ) {
    super(message);
  }
}

/**
 * The worker's side of a verification: the backup's archive read once from storage (decrypted
 * and gunzipped on the way, its SHA-256 computed), restored by its engine into a scratch server
 * the worker starts for it, and what that server then holds compared with what the dump held
 * when it was made. The instance itself is never connected to: its credentials are opened only
 * for the names of its database and user.
 */
@Injectable()
export class VerificationRunner {
  private readonly logger = new Logger(VerificationRunner.name);

  constructor(
    private readonly verifications: VerificationsRepository,
    private readonly backups: BackupsRepository,
    private readonly instances: InstancesRepository,
    private readonly keys: EncryptionKeysRepository,
    private readonly engines: DumpEngines,
    private readonly box: SecretBox,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly metrics: JobMetrics,
    private readonly archivedLog: ArchivedLog,
  ) {}

  async run(backupPk: bigint, scheduled: boolean): Promise<void> {
    if (scheduled && !(await this.verifications.claimUnverified(backupPk))) {
      this.logger.log({ msg: 'verification not needed, skipped', backupPk: String(backupPk) });
      return;
    }
    const verification = await this.verifications.find(backupPk);
    if (!verification || verification.status !== 'running') return;
    const started = Date.now();
    const stopHeartbeat = startHeartbeat(
      () => this.verifications.heartbeat(backupPk),
      this.logger,
      {
        backupPk: String(backupPk),
      },
    );
    let result: VerificationResult;
    try {
      const backup = await this.backups.findByPk(backupPk);
      const instance = backup && (await this.instances.find(backup.instanceId));
      if (!backup || backup.status !== 'done' || !backup.storageKey || !instance) {
        throw new VerificationFailed('the backup was deleted before it could be verified');
      }
      this.logger.log({ msg: 'verification started', backupId: backup.backupId });
      // whatever fails inside the scratch server or the tools fails this verification only
      const seen = await containFailures(() => this.verify(backup, instance));
      result = { status: 'verified', ...seen };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const seen = err instanceof VerificationFailed ? err.seen : undefined;
      result = { status: 'failed', reason, ...seen };
    } finally {
      stopHeartbeat();
    }
    result.durationMs = Date.now() - started;
    const ended = await retryWhileDatabaseUnavailable(
      () => this.verifications.finish(backupPk, result),
      { what: `result of the verification of backup ${String(backupPk)}`, logger: this.logger },
    );
    if (!ended) return;
    this.metrics.verificationsFinished.inc({ status: result.status });
    this.logger[result.status === 'verified' ? 'log' : 'warn']({
      msg: `verification ${result.status}`,
      backupPk: String(backupPk),
      ...(result.status === 'failed' ? { reason: result.reason } : {}),
      seconds: result.durationMs / 1000,
    });
  }

  private async verify(
    backup: Backup,
    instance: Instance,
  ): Promise<{ tables: number; rows: bigint }> {
    const engine = this.engines.forRestore(instance.type);
    const passphrase = await this.keys.passphrase(backup.encryptionKeyId);
    // for the names of the database and the user only: nothing connects to the instance
    const connectionUrl = this.box.open(instance.credentials, credentialsContext(instance.id));
    const damaged = () =>
      new VerificationFailed(
        "the archive's SHA-256 does not match the one recorded when the backup was made: it was changed or damaged in storage",
      );
    // a MariaDB base backup is verified with its archived binlog replayed on it (PostgreSQL's
    // base backups start a server that recovers the WAL they hold)
    const recovery =
      instance.type === 'mariadb' ? await this.archivedLog.toEnd(instance.id, backup) : null;
    let inventory: ScratchInventory | undefined;
    let digest: string | undefined;
    try {
      await readArchive(
        {
          copy: (sink) => copyStored(this.storage, backup, sink),
          passphrase,
          consume: async (content, sha256) => {
            // a hash is final once read: read once, whoever asks first
            const stored = () => (digest ??= sha256());
            inventory = await engine.restoreIntoScratch(content, {
              connectionUrl,
              recovery: recovery ?? undefined,
              checkArchive: () => {
                if (stored() !== backup.sha256) throw damaged();
              },
            });
            stored();
          },
        },
        (err) => err instanceof RestoreFailedError,
      );
    } catch (failure) {
      // a damaged archive makes decryption, gunzip or the scratch server stop: say it was the archive
      const stored = await storedSha256(this.storage, backup).catch(() => undefined);
      if (stored !== undefined && stored !== backup.sha256) throw damaged();
      throw new VerificationFailed(
        `the backup could not be restored into a scratch server: ${(failure as Error).message}`,
      );
    }
    if (digest !== backup.sha256) throw damaged();
    const normalize = instance.type === 'postgresql' ? pgTableKey : (t: string) => t;
    const seen = compare(inventory!, await this.verifications.contents(backup.pk), normalize);
    if (inventory!.replayed) {
      this.logger.log({
        msg: 'binlog replayed on the verified backup',
        backupId: backup.backupId,
        rowsAfterReplay: String(inventory!.replayed.reduce((sum, t) => sum + t.rows, 0)),
      });
    }
    return seen;
  }
}

/**
 * What the scratch server held against what the dump held: each table counted at backup time
 * must hold exactly as many rows. Without counts, an empty result from a source that held
 * data fails.
 */
function compare(
  inventory: ScratchInventory,
  counted: TableCount[] | null,
  key: (table: string) => string,
): { tables: number; rows: bigint } {
  const seen = {
    tables: inventory.tables.length,
    rows: inventory.tables.reduce((sum, t) => sum + BigInt(t.rows), 0n),
  };
  if (counted) {
    const restored = new Map(inventory.tables.map((t) => [key(t.table), t.rows]));
    for (const table of counted) {
      const rows = restored.get(key(table.table));
      if (rows === undefined) {
        throw new VerificationFailed(
          `table ${table.table} is missing from the restored copy; the backup holds ${table.rows} rows of it`,
          seen,
        );
      }
      if (rows !== table.rows) {
        throw new VerificationFailed(
          `table ${table.table}: the backup holds ${table.rows} rows, the restored copy ${rows}`,
          seen,
        );
      }
    }
  } else if (inventory.sourceHeldData && seen.rows === 0n) {
    throw new VerificationFailed(`the backup holds data, but the restored copy is empty`, seen);
  }
  return seen;
}

/** A PostgreSQL table's name for comparison: `schema.name` as pg_dump writes it, unquoted. */
function pgTableKey(table: string): string {
  return splitQualifiedName(table).join('\u0000');
}
