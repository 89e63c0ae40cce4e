import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SecretBox } from '../core/secrets/secret-box';
import { connectPostgres } from '../engines/postgresql/pg-tools';
import { credentialsContext } from '../instances/credentials';
import { WalRepository } from './wal.repository';

/** How often each instance's slot is read, by whichever process finds it due. */
export const SLOT_READ_EVERY_MS = 30_000;
/** How often a process looks for slots that are due. */
const LOOK_EVERY_MS = 10_000;
/** Slots one process reads per look, one after the other. */
const SLOTS_PER_LOOK = 50;
/** How long a slot's server may take to answer before this reading is given up. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Reads how much WAL each continuous-archiving instance's slot keeps on the server (and its
 * wal_status), independently of its receiver: while no worker receives an instance's WAL the slot
 * keeps growing, and that is when an operator needs to see it (retained_bytes in the admin API,
 * backup_manager_wal_slot_retained_bytes in /metrics). Runs in the API and in every worker; each
 * slot is read by one of them every SLOT_READ_EVERY_MS.
 */
@Injectable()
export class SlotWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SlotWatch.name);
  private timer?: NodeJS.Timeout;
  private looking: Promise<void> = Promise.resolve();

  constructor(
    private readonly wal: WalRepository,
    private readonly box: SecretBox,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.looking = this.looking.then(() =>
        this.look().catch((err: Error) =>
          this.logger.debug({ msg: 'replication slots not read this round', error: err.message }),
        ),
      );
    }, LOOK_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.looking;
  }

  /** Reads the slots that are due; one that cannot be read now is tried again when due. */
  async look(): Promise<void> {
    for (const due of await this.wal.slotsDue(SLOTS_PER_LOOK, SLOT_READ_EVERY_MS)) {
      try {
        const url = this.box.open(due.credentials, credentialsContext(due.instanceId));
        const client = await connectPostgres(url, CONNECT_TIMEOUT_MS);
        try {
          const res = await client.query<{ wal_status: string | null; retained: string | null }>(
            `SELECT s.wal_status, (pg_current_wal_lsn() - s.restart_lsn)::bigint::text AS retained
             FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = $1`,
            [due.slotName],
          );
          const row = res.rows[0];
          await this.wal.observed(due.instanceId, {
            walStatus: row.wal_status,
            retainedBytes: row.retained === null ? null : BigInt(row.retained),
          });
        } finally {
          await client.end().catch(() => undefined);
        }
      } catch (err) {
        this.logger.debug({
          msg: 'replication slot not read',
          instanceId: due.instanceId,
          error: (err as Error).message,
        });
      }
    }
  }
}
