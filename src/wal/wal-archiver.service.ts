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
import type { Instance, InstanceType } from '../generated/prisma/client';
import { credentialsContext } from '../instances/credentials';
import { addJob } from '../jobs/add-job';
import { BACKUPS_QUEUE, runBackupJob } from '../jobs/queue.contract';
import { OrphanArchivesRepository } from '../storage/orphan-archives.repository';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { BinlogReceiver, type BinlogReceiverContext } from './binlog-receiver';
import { dropReceiverSlots } from './receiver-slots';
import { WalReceiver } from './wal-receiver';
import { ReceiverLease, WalRepository } from './wal.repository';

/** How often a worker removes the segments no restore can use any more. */
const PRUNE_EVERY_MS = 3600_000;
/** Segment records removed per statement of a pruning pass. */
const PRUNE_BATCH = 1000;
/** Why WAL between two recorded pieces is missing when the receiver did not see it go. */
const BROKEN_CHAIN =
  'no stored piece holds this WAL although pieces before and after it are recorded: a piece or its record was removed';

/** What the archiver runs for one instance: a WAL receiver, or a binlog receiver (MariaDB). */
type Receiver = Pick<WalReceiver, 'instanceId' | 'start' | 'stop'>;

/**
 * Continuous archiving, the worker's side: every registered continuous-archiving instance
 * (PostgreSQL's WAL, MariaDB's binlog) has one receiver across all workers. A worker holds up to
 * WAL_RECEIVERS_PER_WORKER of them by a lease in the database (WAL_RECEIVER_LEASE_SECONDS, renewed
 * every third of that); a receiver whose worker stopped renewing (it died, stalled, or lost the
 * database) is taken over by another, under a new generation of the lease that fences the old
 * holder off: what it ships later is never recorded. A deregistered instance's receiver drops
 * its slots and is forgotten.
 */
@Injectable()
export class WalArchiver implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WalArchiver.name);
  private readonly workerId = randomUUID();
  private readonly receivers = new Map<string, Receiver>();
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
    // renewed every third of a lease: two rounds may fail before another worker takes over
    this.timer = setInterval(() => this.tickSoon(), this.config.walReceiverLeaseMs / 3);
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
    const held = await this.wal.renew(this.workerId, this.config.walReceiverLeaseMs);
    // leases lost (this worker stalled, or the database was away, longer than a lease): another
    // worker may run them now
    for (const [id, receiver] of this.receivers) {
      if (!held.has(id)) {
        this.receivers.delete(id);
        this.logger.warn({
          msg: 'WAL receiver lease lost; this worker ships nothing more of the instance',
          instanceId: id,
        });
        await receiver.stop();
      }
    }
    await this.wal.ensureReceivers();
    const room = this.config.walReceiversPerWorker - this.receivers.size;
    for (const lease of await this.wal.claim(this.workerId, room, this.config.walReceiverLeaseMs)) {
      held.set(lease.instanceId, lease);
    }
    this.failing = false;
    await this.requestBaseBackups([...held.keys()]);
    for (const [id, lease] of held) {
      const instance = await this.wal.instance(id);
      const existing = this.receivers.get(id);
      if (!instance || instance.deletedAt || instance.backupType !== 'continuous_archiving') {
        await this.retire(id, existing, instance);
        continue;
      }
      if (existing) continue;
      const receiver = this.receiverFor(lease, instance.type);
      this.receivers.set(id, receiver);
      this.logger.log({
        msg: 'WAL receiver started',
        instanceId: id,
        generation: String(lease.generation),
      });
      receiver.start();
    }
  }

  /** A receiver that ships and records under `lease`, and only while the lease holds. */
  private receiverFor(lease: ReceiverLease, type: InstanceType): Receiver {
    const id = lease.instanceId;
    const connectionUrl = async () => {
      const now = await this.wal.instance(id);
      if (!now) throw new Error(`instance ${id} is gone`);
      return this.box.open(now.credentials, credentialsContext(id));
    };
    const context: BinlogReceiverContext = {
      storage: this.storage,
      logger: this.logger,
      shipIntervalMs: this.config.walShipIntervalSeconds * 1000,
      lease,
      holdsLease: () => this.wal.holds(lease),
      leaseLost: () => {
        if (this.receivers.get(id) === receiver) this.receivers.delete(id);
      },
      activeKey: async () => {
        const keyId = await this.wal.activeKeyId(id);
        if (!keyId) throw new Error(`instance ${id} has no active encryption key`);
        return { id: keyId, passphrase: await this.keys.passphrase(keyId) };
      },
      record: (segment) => this.wal.recordPiece(segment, lease),
      discard: async (storageKey) => {
        try {
          await this.storage.delete(storageKey);
        } catch {
          await this.orphans.record([{ storageKey, partial: false }]);
        }
      },
      checkContinuity: async () => {
        for (const { from, to } of await this.wal.unrecordedBreaks(id)) {
          await this.gap(lease, from, to, BROKEN_CHAIN);
        }
      },
      shippedEnd: () => this.wal.shippedEnd(id),
      caughtUp: (at, lsn) => this.wal.caughtUp(lease, at, lsn),
      observed: (slot) => this.wal.observed(id, slot),
      gap: (from, to, reason) => this.gap(lease, from, to, reason),
      setState: (state, error) => this.wal.setState(id, state, error, lease),
      failed: (reason, announce) => this.wal.failed(lease, reason, announce),
      firstBackupPosition: () => this.wal.firstBackupPosition(id),
      lastGtid: () => this.wal.lastGtid(id),
    };
    const receiver: Receiver =
      type === 'mariadb'
        ? new BinlogReceiver(id, connectionUrl, context)
        : new WalReceiver(id, connectionUrl, context);
    return receiver;
  }

  /**
   * Records a gap in the instance's WAL archive (once) and queues the base backup that restarts
   * the window after it.
   */
  private async gap(lease: ReceiverLease, from: string, to: string, reason: string) {
    if (!(await this.wal.recordGap(lease, from, to, reason))) return;
    const instanceId = lease.instanceId;
    this.logger.warn({ msg: 'gap in the WAL archive', instanceId, from, to, reason });
    await this.requestBaseBackups([instanceId]);
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

  /**
   * A deregistered instance: its slots (PostgreSQL) are dropped (retried next round when that
   * fails).
   */
  private async retire(
    id: string,
    running: Receiver | undefined,
    instance: Instance | null,
  ): Promise<void> {
    this.receivers.delete(id);
    await running?.stop();
    try {
      if (instance?.type === 'postgresql') {
        await dropReceiverSlots(id, this.box.open(instance.credentials, credentialsContext(id)));
      }
      await this.wal.forget(id);
      this.logger.log({ msg: 'WAL receiver retired, its slots dropped', instanceId: id });
    } catch (err) {
      await this.wal.setState(id, 'failed', `slots not dropped yet: ${(err as Error).message}`);
    }
  }
}
