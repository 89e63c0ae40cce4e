import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import type { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import { lastLines, redact } from '../engines/shared/dump-process';
import { connectPostgres, pgServerMajor, pgToolsFor } from '../engines/postgresql/pg-tools';
import { libpqEnvironment } from '../engines/postgresql/postgresql.engine';
import { makePrivateDir, recordServer } from '../engines/shared/private-dirs';
import { slotNames } from '../engines/postgresql/replication-slots';
import { lsnValue } from './lsn';
import { WORKED_AFTER_MS, restartDelayMs, shipWhileReceiving } from './receiver-passes';
import { receiverFailure } from './receiver-failure';
import { advanceShippedSlot, prepareSlots, type ReceiverSlots } from './receiver-slots';
import { LeaseLostError } from './wal.repository';
import { linkForScan, scanSegment } from './wal-scan';
import { WalShipper, type ShipperContext } from './wal-shipper';

/** What a receiver needs from its worker: what its shipper needs, and the receiver's own. */
export interface ReceiverContext extends ShipperContext {
  logger: Logger;
  shipIntervalMs: number;
  /** the receiver stopped for good because the lease was lost: the worker forgets it */
  leaseLost(): void;
  /** the end of the newest piece of the instance's WAL in storage (null: none) */
  shippedEnd(): Promise<bigint | null>;
  /** what the server says of the slot: its wal_status and the WAL it keeps for it */
  observed(slot: { walStatus: string | null; retainedBytes: bigint | null }): Promise<void>;
  setState(state: string, error: string | null): Promise<void>;
  /** the receiver stopped for `reason`; `announce`: the first failure since it last worked */
  failed(reason: string, announce: boolean): Promise<void>;
}

/**
 * Receives one instance's write-ahead log and ships it to storage: every WAL_SHIP_INTERVAL, what
 * arrived since the last piece, the segment being written included (never the whole of it again),
 * so that storage trails the server by seconds even when a segment takes hours to fill.
 *
 * Two physical slots on the instance: `bm_<hash>` holds the server's WAL from the end of what
 * storage has (advanced only after a segment is stored and recorded), and `bm_<hash>_rx`, which
 * pg_receivewal streams from (its feedback advances that one as soon as the worker's disk has the
 * WAL). At every start the receiving slot is made a copy of the shipped one and pg_receivewal
 * starts in an empty directory, so it begins exactly after what storage has: a worker that dies
 * before uploading loses nothing; its successor receives that stretch again.
 *
 * This class runs pg_receivewal and its restarts; the parts have their own files and unit
 * tests: the passes' timing (receiver-passes.ts, shared with the binlog's receiver), the slots
 * (receiver-slots.ts), a shipping pass (wal-shipper.ts) and reading a segment with pg_waldump
 * (wal-scan.ts).
 */
export class WalReceiver {
  private readonly slots: ReceiverSlots;
  private readonly shipper: WalShipper;
  private dir?: string;
  private tool?: ChildProcess;
  private restartTimer?: NodeJS.Timeout;
  private shipping: Promise<void> = Promise.resolve();
  private stopped = false;
  private failures = 0;
  private waldump = 'pg_waldump';
  /** a connection to the instance for asking where its WAL stands */
  private positionClient?: Client;
  /** read again at every start, so that credentials updated meanwhile are used */
  private connectionUrl = '';

  constructor(
    readonly instanceId: string,
    private readonly readConnectionUrl: () => Promise<string>,
    private readonly ctx: ReceiverContext,
  ) {
    this.slots = slotNames(instanceId);
    this.shipper = new WalShipper(instanceId, ctx, {
      scan: (dir, segment, complete) => scanSegment(this.waldump, dir, segment, complete),
      linkForScan,
      serverPosition: () => this.serverPosition(),
      advanceShipped: (lsn) => advanceShippedSlot(this.connectionUrl, this.slots, lsn),
    });
  }

  /** Starts receiving; failures are recorded and retried, never thrown. */
  start(): void {
    void this.run();
  }

  /** Stops receiving and removes the local directory; what storage has stays the slot's start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.killTool();
    await this.shipping.catch(() => undefined);
    await this.positionClient?.end().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ctx.setState('starting', null);
      this.connectionUrl = await this.readConnectionUrl();
      const prepared = await prepareSlots(this.connectionUrl, this.slots, {
        logger: this.ctx.logger,
        instanceId: this.instanceId,
      });
      this.shipper.restart({
        shippedTo: await this.ctx.shippedEnd(),
        gapReason: prepared.gapReason,
        segmentSize: prepared.segmentSize ?? 16 * 1024 * 1024,
      });
      const major = await pgServerMajor(this.connectionUrl);
      this.waldump = pgToolsFor(major).pgWaldump;
      if (this.stopped) return;
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
      this.dir = makePrivateDir('wal');
      const { env, password } = libpqEnvironment(this.connectionUrl);
      const tool = spawn(
        pgToolsFor(major).pgReceivewal,
        ['--directory', this.dir, '--slot', this.slots.receiving, '--no-loop', '--no-password'],
        {
          env: { ...env, PGAPPNAME: 'backup-manager-wal' },
          stdio: ['ignore', 'ignore', 'pipe'],
          detached: true,
        },
      );
      this.tool = tool;
      recordServer(this.dir, tool.pid);
      await this.ctx.setState('streaming', null);
      const { code, signal, stderr, ranMs } = await shipWhileReceiving(
        tool,
        this.ctx.shipIntervalMs,
        () => this.shipSoon(),
      );
      if (this.stopped) return;
      if (ranMs >= WORKED_AFTER_MS) this.failures = 0;
      throw new Error(
        `pg_receivewal ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: ${lastLines(redact(stderr, [password]), 2) || 'no error output'}`,
      );
    } catch (err) {
      if (this.stopped) return;
      const reason = receiverFailure((err as Error).message, roleOf(this.connectionUrl));
      const wait = restartDelayMs(this.failures);
      this.ctx.logger.warn({
        msg: 'WAL receiver stopped; starting again',
        instanceId: this.instanceId,
        error: reason,
        inSeconds: wait / 1000,
      });
      await this.ctx.failed(reason, this.failures === 0).catch(() => undefined);
      this.failures = Math.min(this.failures + 1, 20);
      this.restartTimer = setTimeout(() => void this.run(), wait);
      this.restartTimer.unref();
    }
  }

  /** Queues a shipping pass after those under way; resolves when it is done (never rejects). */
  private shipSoon(): Promise<void> {
    this.shipping = this.shipping
      .then(() => (this.dir && !this.stopped ? this.shipper.ship(this.dir) : undefined))
      .catch((err: Error) => {
        if (err instanceof LeaseLostError) {
          void this.leaseLost(err);
          return;
        }
        this.ctx.logger.warn({
          msg: 'WAL segment not shipped yet',
          instanceId: this.instanceId,
          error: err.message,
        });
      });
    return this.shipping;
  }

  /**
   * Another worker may run this instance's receiver now (this one stalled past its lease): this
   * one ships nothing more, ends its pg_receivewal and removes its local files.
   */
  private async leaseLost(err: LeaseLostError): Promise<void> {
    if (this.stopped) return;
    this.ctx.logger.warn({
      msg: 'WAL receiver lease lost; this worker ships nothing more of the instance',
      instanceId: this.instanceId,
      error: err.message,
    });
    await this.stop();
    this.ctx.leaseLost();
  }

  /**
   * Where the server's WAL insertion stands and its clock, asked before a pass looks at the
   * files: null when the server cannot be asked now (the pass ships all the same).
   */
  private async serverPosition(): Promise<{ at: Date; lsn: bigint } | null> {
    try {
      this.positionClient ??= await connectPostgres(this.connectionUrl);
      const res = await this.positionClient.query<{
        at: Date;
        lsn: string;
        wal_status: string | null;
        retained: string | null;
      }>(
        `SELECT statement_timestamp() AS at, pg_current_wal_insert_lsn()::text AS lsn,
                s.wal_status, (pg_current_wal_lsn() - s.restart_lsn)::bigint::text AS retained
         FROM (SELECT 1) one
         LEFT JOIN pg_replication_slots s ON s.slot_name = $1`,
        [this.slots.shipped],
      );
      const row = res.rows[0];
      await this.ctx.observed({
        walStatus: row.wal_status,
        retainedBytes: row.retained === null ? null : BigInt(row.retained),
      });
      return { at: row.at, lsn: lsnValue(row.lsn) };
    } catch {
      const client = this.positionClient;
      this.positionClient = undefined;
      await client?.end().catch(() => undefined);
      return null;
    }
  }

  private async killTool(): Promise<void> {
    const tool = this.tool;
    if (!tool || tool.exitCode !== null || tool.signalCode !== null) return;
    const closed = once(tool, 'close');
    tool.kill('SIGTERM');
    await closed.catch(() => undefined);
  }
}

/** The role a connection URL logs in as (libpq's default when it names none). */
function roleOf(connectionUrl: string): string {
  try {
    return decodeURIComponent(new URL(connectionUrl).username) || 'postgres';
  } catch {
    return "the instance's role";
  }
}
