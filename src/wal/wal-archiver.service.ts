import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { BackupsRepository } from '../backups/backups.repository';
import { triggerBackup } from '../backups/trigger-backup';
import { AppConfig } from '../core/config/app-config';
import { SecretBox } from '../core/secrets/secret-box';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { credentialsContext } from '../instances/credentials';
import { addJob } from '../jobs/add-job';
import { BACKUPS_QUEUE, runBackupJob } from '../jobs/queue.contract';
import { OrphanArchivesRepository } from '../storage/orphan-archives.repository';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { WalReceiver, dropReceiverSlots } from './wal-receiver';
import { WalRepository } from './wal.repository';

/** How often a worker renews its leases and looks for receivers nobody holds. */
const TICK_MS = 10_000;
/** A lease not renewed for this long is taken over by another worker. */
const LEASE_MS = 30_000;
/** How often a worker removes the segments no restore can use any more. */
const PRUNE_EVERY_MS = 3600_000;
/** Segment records removed per statement of a pruning pass. */
const PRUNE_BATCH = 1000;

/**
 * Continuous archiving, the worker's side: every registered continuous-archiving PostgreSQL
 * instance has one receiver across all workers. A worker holds up to
 * WAL_RECEIVERS_PER_WORKER of them by a lease in the database that it renews every 10 s; a
 * receiver whose worker stopped renewing (it died, or lost the database) is taken over by
 * another within a minute. A deregistered instance's receiver drops its slots and is forgotten.
 */
@Injectable()
export class WalArchiver implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WalArchiver.name);
  private readonly workerId = randomUUID();
  private readonly receivers = new Map<string, WalReceiver>();
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  private failing = false;

  constructor(
    private readonly wal: WalRepository,
    private readonly keys: EncryptionKeysRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly orphans: OrphanArchivesRepository,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly backups: BackupsRepository,
    @InjectQueue(BACKUPS_QUEUE) private readonly backupsQueue: Queue,
  ) {}

  onApplicationBootstrap(): void {
    const prune = () =>
      this.prune().catch((err: Error) =>
        this.logger.warn({ msg: 'WAL segments not pruned this hour', error: err.message }),
      );
    void prune();
    this.pruneTimer = setInterval(() => void prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    if (this.config.walReceiversPerWorker === 0) return;
    this.tickSoon();
    this.timer = setInterval(() => this.tickSoon(), TICK_MS);
    this.timer.unref();
  }

  /**
   * Removes the segments no restore can use any more (WalRepository.pruneSegments): records
   * first, then the objects; an object storage fails to remove is left to the hourly orphan pass.
   */
  async prune(): Promise<number> {
    let removed = 0;
    for (;;) {
      const keys = await this.wal.pruneSegments(
        this.config.deletedInstanceRetentionDays,
        PRUNE_BATCH,
      );
      const { failed } = await this.storage.deleteMany(keys);
      if (failed.length > 0) {
        await this.orphans.record(failed.map((storageKey) => ({ storageKey, partial: false })));
      }
      removed += keys.length;
      if (keys.length < PRUNE_BATCH) break;
    }
    if (removed > 0) this.logger.log({ msg: 'pruned WAL segments', count: removed });
    return removed;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.ticking;
    await Promise.all(
      [...this.receivers.values()].map(async (r) => {
        await r.stop();
        await this.wal.release(this.workerId, r.instanceId).catch(() => undefined);
      }),
    );
  }

  private tickSoon(): void {
    this.ticking = this.ticking
      .then(() => this.tick())
      .catch((err: Error) => {
        if (!this.failing)
          this.logger.warn({ msg: 'WAL receivers not managed this round', error: err.message });
        this.failing = true;
      });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const held = await this.wal.renew(this.workerId, LEASE_MS);
    // leases lost (the database was away longer than a lease): another worker may run them now
    for (const [id, receiver] of this.receivers) {
      if (!held.has(id)) {
        this.receivers.delete(id);
        await receiver.stop();
      }
    }
    await this.wal.ensureReceivers();
    const room = this.config.walReceiversPerWorker - this.receivers.size;
    for (const id of await this.wal.claim(this.workerId, room, LEASE_MS)) held.add(id);
    this.failing = false;
    await this.requestBaseBackups([...held]);
    for (const id of held) {
      const instance = await this.wal.instance(id);
      const existing = this.receivers.get(id);
      if (!instance || instance.deletedAt || instance.backupType !== 'continuous_archiving') {
        await this.retire(id, existing, instance?.credentials);
        continue;
      }
      if (existing) continue;
      const receiver = new WalReceiver(
        id,
        async () => {
          const now = await this.wal.instance(id);
          if (!now) throw new Error(`instance ${id} is gone`);
          return this.box.open(now.credentials, credentialsContext(id));
        },
        {
          storage: this.storage,
          logger: this.logger,
          shipIntervalMs: this.config.walShipIntervalSeconds * 1000,
          activeKey: async () => {
            const keyId = await this.wal.activeKeyId(id);
            if (!keyId) throw new Error(`instance ${id} has no active encryption key`);
            return { id: keyId, passphrase: await this.keys.passphrase(keyId) };
          },
          record: (segment) => this.wal.recordSegment(segment),
          shippedEnd: () => this.wal.shippedEnd(id),
          caughtUp: (at, lsn) => this.wal.caughtUp(id, at, lsn),
          observed: (slot) => this.wal.observed(id, slot),
          gap: async (from, to, reason) => {
            this.logger.warn({ msg: 'gap in the WAL archive', instanceId: id, from, to, reason });
            await this.wal.recordGap(id, from, to, reason);
            await this.requestBaseBackups([id]);
          },
          setState: (state, error) => this.wal.setState(id, state, error),
        },
      );
      this.receivers.set(id, receiver);
      this.logger.log({ msg: 'WAL receiver started', instanceId: id });
      receiver.start();
    }
  }

  /**
   * A gap restarts the window only after a base backup taken after it: one is queued at once
   * (retried every round while a backup or restore of the instance keeps it from being queued).
   */
  private async requestBaseBackups(instanceIds: string[]): Promise<void> {
    for (const gap of await this.wal.gapsWithoutBackup(instanceIds)) {
      const backup = await triggerBackup(
        this.backups,
        (b) => addJob(this.backupsQueue, runBackupJob(b), 'backup', this.config.upstreamTimeoutMs),
        gap.instanceId,
        'scheduled',
        new Date(),
      );
      if (!backup) continue;
      await this.wal.backupRequested(gap.pk);
      this.logger.log({
        msg: 'base backup queued after a gap in the WAL archive',
        instanceId: gap.instanceId,
        backupId: backup.backupId,
      });
    }
  }

  /** A deregistered instance: its slots are dropped (retried next round when that fails). */
  private async retire(
    id: string,
    running: WalReceiver | undefined,
    credentials: Uint8Array | undefined,
  ): Promise<void> {
    this.receivers.delete(id);
    await running?.stop();
    try {
      if (credentials) {
        await dropReceiverSlots(id, this.box.open(credentials, credentialsContext(id)));
      }
      await this.wal.forget(id);
      this.logger.log({ msg: 'WAL receiver retired, its slots dropped', instanceId: id });
    } catch (err) {
      await this.wal.setState(id, 'failed', `slots not dropped yet: ${(err as Error).message}`);
    }
  }
}
