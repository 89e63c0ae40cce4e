import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, linkSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import { writeArchive } from '../archive/archive-format';
import { baseEnvironment, lastLines, redact } from '../engines/shared/dump-process';
import { connectPostgres, pgServerMajor, pgToolsFor } from '../engines/postgresql/pg-tools';
import { libpqEnvironment } from '../engines/postgresql/postgresql.engine';
import { makePrivateDir, recordServer } from '../engines/shared/private-dirs';
import { slotNames } from '../engines/postgresql/replication-slots';
import type { StorageDriver } from '../storage/storage-driver';
import { lsnText, lsnValue } from './lsn';
import { receiverFailure } from './receiver-failure';
import { PARTIAL_NAME, SEGMENT_NAME, segmentBounds, walKey } from './wal-names';
import { LeaseLostError, type NewSegment, type ReceiverLease } from './wal.repository';

/** What a receiver needs from its worker. */
export interface ReceiverContext {
  storage: StorageDriver;
  logger: Logger;
  shipIntervalMs: number;
  /** the worker's lease on the receiver this receiver runs under (its generation is in keys) */
  lease: ReceiverLease;
  /** whether the worker still holds that lease (asked before every shipping pass) */
  holdsLease(): Promise<boolean>;
  /** the receiver stopped for good because the lease was lost: the worker forgets it */
  leaseLost(): void;
  /** the key id and passphrase new archives of the instance are encrypted with */
  activeKey(): Promise<{ id: string; passphrase: string }>;
  /** records a stored piece; LeaseLostError when the lease is gone (nothing is recorded) */
  record(segment: NewSegment): Promise<void>;
  /** removes a stored piece that was not recorded (now, or later when storage fails now) */
  discard(storageKey: string): Promise<void>;
  /** looks for breaks in the recorded pieces, whatever their cause, and records them as gaps */
  checkContinuity(): Promise<void>;
  /** the end of the newest piece of the instance's WAL in storage (null: none) */
  shippedEnd(): Promise<bigint | null>;
  /** storage held all the WAL the server had written at `at` (its clock), up to `lsn` */
  caughtUp(at: Date, lsn: string): Promise<void>;
  /** what the server says of the slot: its wal_status and the WAL it keeps for it */
  observed(slot: { walStatus: string | null; retainedBytes: bigint | null }): Promise<void>;
  /** WAL from `from` to `to` never reached storage, for `reason` */
  gap(from: string, to: string, reason: string): Promise<void>;
  setState(state: string, error: string | null): Promise<void>;
  /** the receiver stopped for `reason`; `announce`: the first failure since it last worked */
  failed(reason: string, announce: boolean): Promise<void>;
}

/** How long a receiver waits before starting again: doubling after each failed start, to 5 min. */
const RESTART_AFTER_MS = 5_000;
const MAX_RESTART_AFTER_MS = 5 * 60_000;
/** The shortest pause between two shipping passes of one receiver. */
const MIN_SHIP_GAP_MS = 250;
/** A pg_receivewal that ran this long counts as having worked: the next wait starts over. */
const WORKED_AFTER_MS = 60_000;

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
 */
export class WalReceiver {
  private readonly slots: { shipped: string; receiving: string };
  private dir?: string;
  private tool?: ChildProcess;
  private shipTimer?: NodeJS.Timeout;
  private restartTimer?: NodeJS.Timeout;
  private shipping: Promise<void> = Promise.resolve();
  private stopped = false;
  private segmentSize = 16 * 1024 * 1024;
  private failures = 0;
  private waldump = 'pg_waldump';
  /** the end of what storage holds of the instance's WAL, as this receiver knows it */
  private shippedTo: bigint | null = null;
  /** a connection to the instance for asking where its WAL stands */
  private positionClient?: Client;
  /** why the WAL between what storage has and where receiving starts again may be missing */
  private gapReason: string | null = null;
  /** read again at every start, so that credentials updated meanwhile are used */
  private connectionUrl = '';
  /** how many pieces this receiver has written (part of each key: no key is written twice) */
  private writes = 0;

  constructor(
    readonly instanceId: string,
    private readonly readConnectionUrl: () => Promise<string>,
    private readonly ctx: ReceiverContext,
  ) {
    this.slots = slotNames(instanceId);
  }

  /** Starts receiving; failures are recorded and retried, never thrown. */
  start(): void {
    void this.run();
  }

  /** Stops receiving and removes the local directory; what storage has stays the slot's start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.shipTimer);
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
      await this.prepareSlots();
      this.shippedTo = await this.ctx.shippedEnd();
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
      let stderr = '';
      tool.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      tool.once('error', () => undefined);
      await this.ctx.setState('streaming', null);
      const started = Date.now();
      let receiving = true;
      const pass = () => {
        const passStarted = Date.now();
        this.shipSoon();
        void this.shipping.then(() => {
          if (!receiving || this.stopped) return;
          // WAL that arrived just after this pass began goes with the next one: it starts early
          // by twice what this one took and a tenth of the interval (the next may take longer),
          // so that it is in storage within the interval
          const took = Date.now() - passStarted;
          const wait = Math.max(MIN_SHIP_GAP_MS, 0.9 * this.ctx.shipIntervalMs - 2 * took);
          this.shipTimer = setTimeout(pass, wait);
          this.shipTimer.unref();
        });
      };
      this.shipTimer = setTimeout(pass, this.ctx.shipIntervalMs);
      this.shipTimer.unref();
      const [code, signal] = (await once(tool, 'close')) as [number | null, NodeJS.Signals | null];
      receiving = false;
      clearTimeout(this.shipTimer);
      this.shipSoon();
      await this.shipping;
      if (this.stopped) return;
      if (Date.now() - started >= WORKED_AFTER_MS) this.failures = 0;
      throw new Error(
        `pg_receivewal ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: ${lastLines(redact(stderr, [password]), 2) || 'no error output'}`,
      );
    } catch (err) {
      if (this.stopped) return;
      const reason = receiverFailure((err as Error).message, roleOf(this.connectionUrl));
      this.ctx.logger.warn({
        msg: 'WAL receiver stopped; starting again',
        instanceId: this.instanceId,
        error: reason,
        inSeconds: Math.min(RESTART_AFTER_MS * 2 ** this.failures, MAX_RESTART_AFTER_MS) / 1000,
      });
      await this.ctx.failed(reason, this.failures === 0).catch(() => undefined);
      const wait = Math.min(RESTART_AFTER_MS * 2 ** this.failures, MAX_RESTART_AFTER_MS);
      this.failures = Math.min(this.failures + 1, 20);
      this.restartTimer = setTimeout(() => void this.run(), wait);
      this.restartTimer.unref();
    }
  }

  /** The shipped slot exists (made now, reserving WAL from here on); the receiving one copies it. */
  private async prepareSlots(): Promise<void> {
    const client: Client = await connectPostgres(this.connectionUrl);
    try {
      const size = await client.query<{ setting: string }>(
        "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'",
      );
      this.segmentSize = Number(size.rows[0]?.setting) || this.segmentSize;
      const existing = await client.query<{
        wal_status: string | null;
        restart_lsn: string | null;
      }>('SELECT wal_status, restart_lsn::text FROM pg_replication_slots WHERE slot_name = $1', [
        this.slots.shipped,
      ]);
      const slot = existing.rows[0];
      if (slot && (slot.wal_status === 'lost' || slot.restart_lsn === null)) {
        // the server removed WAL the slot held (max_slot_wal_keep_size): it is of no use any
        // more; a new one holds WAL from now on, and what lies between is a gap
        this.gapReason =
          "the instance's replication slot was invalidated (wal_status lost): the server removed WAL before it reached storage, e.g. because of max_slot_wal_keep_size";
        this.ctx.logger.warn({
          msg: 'replication slot lost; made anew, the WAL in between is a gap',
          instanceId: this.instanceId,
          slot: this.slots.shipped,
        });
        await dropSlot(client, this.slots.shipped);
      }
      await client.query(
        `SELECT pg_create_physical_replication_slot($1, true)
         WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
        [this.slots.shipped],
      );
      // a receiver of a worker that died may still stream from it: dropSlot ends that one first
      await dropSlot(client, this.slots.receiving);
      await client.query('SELECT pg_copy_physical_replication_slot($1, $2)', [
        this.slots.shipped,
        this.slots.receiving,
      ]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private shipSoon(): void {
    this.shipping = this.shipping
      .then(() => this.ship())
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
   * Ships what arrived since the last piece, oldest first: the rest of each completed segment
   * (then removed), and the valid part of the segment being written that storage lacks; then
   * lets the server go of it. When storage then holds everything the server had written before
   * this pass looked, that moment is recorded: the window reaches it even without a commit.
   */
  private async ship(): Promise<void> {
    const dir = this.dir;
    if (!dir || this.stopped) return;
    if (!(await this.ctx.holdsLease())) {
      throw new LeaseLostError(this.ctx.lease);
    }
    const position = await this.serverPosition();
    const files = readdirSync(dir)
      .filter((f) => SEGMENT_NAME.test(f) || PARTIAL_NAME.test(f))
      .sort();
    const before = this.shippedTo;
    for (const file of files) {
      const segment = file.slice(0, 24);
      const bounds = segmentBounds(segment, this.segmentSize);
      const complete = file === segment;
      // a hard link reads the same bytes even once pg_receivewal renamed the finished file
      const path = complete ? join(dir, file) : linkForScan(dir, file, segment);
      if (!path) break; // renamed meanwhile: the next pass takes it as a completed segment
      const scan = await scanSegment(this.waldump, dirname(path), segment, complete);
      const end = complete ? bounds.end : (scan.validEnd ?? bounds.start);
      if (this.shippedTo !== null && bounds.start > this.shippedTo) {
        await this.ctx.gap(
          lsnText(this.shippedTo),
          lsnText(bounds.start),
          this.gapReason ?? 'the WAL in between never reached the receiver',
        );
        this.shippedTo = bounds.start;
      }
      this.gapReason = null;
      const from =
        this.shippedTo !== null && this.shippedTo > bounds.start ? this.shippedTo : bounds.start;
      if (end > from) {
        await this.shipPiece(path, segment, bounds.start, from, end, scan.newestCommitAt);
        this.shippedTo = end;
      }
      if (complete) unlinkSync(path);
    }
    if (this.shippedTo !== null && this.shippedTo !== before) {
      await this.advanceShipped(lsnText(this.shippedTo));
    }
    if (position && this.shippedTo !== null && this.shippedTo >= position.lsn) {
      await this.ctx.caughtUp(position.at, lsnText(this.shippedTo));
    }
    await this.ctx.checkContinuity();
  }

  /** Stores bytes [from, end) of a segment's file (LSNs) as one piece, and records it. */
  private async shipPiece(
    path: string,
    segment: string,
    segmentStart: bigint,
    from: bigint,
    end: bigint,
    newestCommitAt: string | null,
  ): Promise<void> {
    const key = await this.ctx.activeKey();
    const storageKey = walKey(
      this.instanceId,
      segment,
      from - segmentStart,
      this.ctx.lease.generation,
      this.writes++,
    );
    let archive: { size: bigint; sha256: string } | undefined;
    await this.ctx.storage.write(
      storageKey,
      async (sink) => {
        const bytes = createReadStream(path, {
          start: Number(from - segmentStart),
          end: Number(end - segmentStart) - 1,
        });
        archive = await writeArchive(bytes, key.passphrase, sink);
      },
      { createOnly: true },
    );
    const recorded = this.ctx.record({
      instanceId: this.instanceId,
      timeline: segmentBounds(segment, this.segmentSize).timeline,
      segment,
      startLsn: lsnText(from),
      endLsn: lsnText(end),
      segmentSize: this.segmentSize,
      storageKey,
      size: archive!.size,
      sha256: archive!.sha256,
      encryptionKeyId: key.id,
      newestCommitAt,
    });
    // a piece nobody records is of no use to a restore: it goes (the lease was lost, say)
    await recorded.catch(async (err: Error) => {
      await this.ctx.discard(storageKey);
      throw err;
    });
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

  private async advanceShipped(lsn: string): Promise<void> {
    const client = await connectPostgres(this.connectionUrl);
    try {
      await client.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [
        this.slots.shipped,
        lsn,
      ]);
    } finally {
      await client.end().catch(() => undefined);
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

/** Drops both slots of a deregistered instance, so that the server keeps no WAL for us. */
export async function dropReceiverSlots(instanceId: string, connectionUrl: string): Promise<void> {
  const slots = slotNames(instanceId);
  const client = await connectPostgres(connectionUrl);
  try {
    for (const slot of [slots.receiving, slots.shipped]) await dropSlot(client, slot);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const COMMIT = /desc: COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC/;
const LSN = /[0-9A-F]+\/[0-9A-F]+/g;

/**
 * Reads a segment as pg_waldump does: the time of its newest commit (RFC 3339, to the
 * microsecond; null when it holds none),
 * the end of a restore window reached with it, and where its valid WAL ends — the LSN at which
 * pg_waldump stops, the last one its complaint names (for a segment still being written:
 * preallocated zeros, or a record not wholly received yet). A completed segment's complaint about
 * the next one, which is not there, is expected and ignored.
 */
async function scanSegment(
  waldump: string,
  dir: string,
  segment: string,
  complete: boolean,
): Promise<{ newestCommitAt: string | null; validEnd: bigint | null }> {
  // only transaction records are printed (it still reads every record): a segment's full
  // listing is tens of MB of text the worker would otherwise parse
  const child = spawn(waldump, ['--rmgr=Transaction', '--path', dir, segment], {
    env: { ...baseEnvironment(), TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const found: { newest: string | null; stderr: string } = { newest: null, stderr: '' };
  child.stderr.on(
    'data',
    (d: Buffer) => (found.stderr = (found.stderr + d.toString()).slice(-2000)),
  );
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const m = COMMIT.exec(line);
    if (m) found.newest = m[1];
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const { newest, stderr } = found;
  if (newest === null && code !== 0 && code !== 1) {
    throw new Error(`pg_waldump could not read segment ${segment} (exit ${code})`);
  }
  const stoppedAt = complete ? null : (stderr.match(LSN)?.at(-1) ?? null);
  return {
    // to the microsecond, as pg_waldump prints it: a JS Date would cut it to the millisecond
    newestCommitAt: newest === null ? null : `${newest.replace(' ', 'T')}Z`,
    validEnd: stoppedAt === null ? null : lsnValue(stoppedAt),
  };
}

/**
 * A hard link `<dir>/scan/<segment>` to the segment being written (pg_waldump reads a segment by
 * its own name), made afresh; links of earlier segments are removed. Null when the file is gone.
 */
function linkForScan(dir: string, file: string, segment: string): string | null {
  const scan = join(dir, 'scan');
  mkdirSync(scan, { recursive: true, mode: 0o700 });
  for (const old of readdirSync(scan)) unlinkSync(join(scan, old));
  const link = join(scan, segment);
  try {
    linkSync(join(dir, file), link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return link;
}

/** Drops `slot` if it exists, ending first whatever still streams from it. */
async function dropSlot(client: Client, slot: string): Promise<void> {
  await client.query(
    'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active',
    [slot],
  );
  await waitInactive(client, slot);
  await client.query(
    'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
}

/** Waits until no process streams from `slot` (a terminated walsender takes a moment to go). */
async function waitInactive(client: Client, slot: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await client.query(
      'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active',
      [slot],
    );
    if (res.rowCount === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replication slot ${slot} is still in use by another receiver`);
}

/** The role a connection URL logs in as (libpq's default when it names none). */
function roleOf(connectionUrl: string): string {
  try {
    return decodeURIComponent(new URL(connectionUrl).username) || 'postgres';
  } catch {
    return "the instance's role";
  }
}
