import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  openSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writeArchive } from '../archive/archive-format';
import {
  BINLOG_FILE_SPAN,
  type BinlogWalk,
  binlogCoordinates,
  binlogFileNumber,
  binlogPosition,
  gtidStateWentBack,
  isBinlogFileName,
  receiverServerId,
  walkBinlog,
} from '../engines/mariadb/binlog';
import { clientOptions } from '../engines/mariadb/mariadb-options';
import { queryMariadb } from '../engines/mariadb/mariadb-query';
import { baseEnvironment, lastLines, redact } from '../engines/shared/dump-process';
import { makePrivateDir, recordServer } from '../engines/shared/private-dirs';
import { lsnText, lsnValue } from './lsn';
import { LeaseLostError } from './wal.repository';
import { WORKED_AFTER_MS, restartDelayMs, shipWhileReceiving } from './receiver-passes';
import type { ReceiverContext } from './wal-receiver';
import { walKey } from './wal-names';

/**
 * At most this much of a binlog file is read (and stored as one piece) at a time, so that a
 * receiver far behind (a restore into the instance writes its whole data to the binlog) keeps
 * the worker's memory low.
 */
const PIECE_BYTES = 4 * 1024 * 1024;

/** What a binlog receiver needs of its worker beyond a WAL receiver's. */
export interface BinlogReceiverContext extends ReceiverContext {
  /** where the instance's oldest base backup starts (an archive position; null: none) */
  firstBackupPosition(): Promise<string | null>;
  /** the GTID of the newest transaction the archive holds (null: none) */
  lastGtid(): Promise<string | null>;
}

/**
 * The server's binlog does not continue what the archive holds: it was reset (RESET MASTER) or
 * another server answers at the instance's address. Nothing more is shipped; the receiver fails,
 * saying so, until an operator registers the instance anew.
 */
export class BinlogResetError extends Error {
  constructor(detail: string) {
    super(
      `the server's binlog does not continue the archive (${detail}): it was reset (RESET MASTER) or another server answers at this address; nothing more is archived, register the instance anew`,
    );
  }
}

/**
 * Receives one MariaDB instance's binary log as a replica would, and ships it to storage: every
 * WAL_SHIP_INTERVAL, what each binlog file gained since the last piece, as a piece of its own.
 *
 * `mariadb-binlog --read-from-remote-server --raw --stop-never` (with a connection server id of
 * the instance's own, receiverServerId) writes the server's binlog files, byte for byte, into a
 * private directory. It starts at the file where storage ends (the whole file: what storage has
 * of it is not shipped again), or, before anything was stored, at the file of the oldest base
 * backup, or the server's current file. Only whole events are shipped; a file whose rotate (or
 * stop) event was shipped is complete, ends at the start of the next file in the archive's
 * positions, and is removed.
 *
 * A file the server purged before it reached storage (error 1236 when asked for it, or missing
 * from SHOW BINARY LOGS at a start) is a gap, recorded with its reason; receiving goes on from
 * the oldest file the server still has. Leases, fencing and restarts are a WAL receiver's
 * (wal-receiver.ts): nothing is recorded without the lease.
 */
export class BinlogReceiver {
  private dir?: string;
  private tool?: ChildProcess;
  private restartTimer?: NodeJS.Timeout;
  private shipping: Promise<void> = Promise.resolve();
  private stopped = false;
  private failures = 0;
  private connectionUrl = '';
  /** the end of what storage holds of the binlog, as this receiver knows it */
  private shippedTo: bigint | null = null;
  /** the newest transaction storage holds: the server's GTID state must not go back before it */
  private lastGtid: string | null = null;
  private writes = 0;

  constructor(
    readonly instanceId: string,
    private readonly readConnectionUrl: () => Promise<string>,
    private readonly ctx: BinlogReceiverContext,
  ) {}

  /** Starts receiving; failures are recorded and retried, never thrown. */
  start(): void {
    void this.run();
  }

  /** Stops receiving and removes the local directory. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.killTool();
    await this.shipping.catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ctx.setState('starting', null);
      this.connectionUrl = await this.readConnectionUrl();
      const first = await this.startingFile();
      if (this.stopped) return;
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
      this.dir = makePrivateDir('binlog');
      const { optionFile, password, cleanup } = clientOptions(this.connectionUrl);
      const tool = spawn(
        'mariadb-binlog',
        [
          `--defaults-extra-file=${optionFile}`,
          '--read-from-remote-server',
          '--raw',
          '--stop-never',
          `--stop-never-slave-server-id=${receiverServerId(this.instanceId)}`,
          `--result-file=${this.dir}/`,
          first,
        ],
        { env: baseEnvironment(), stdio: ['ignore', 'ignore', 'pipe'], detached: true },
      );
      this.tool = tool;
      recordServer(this.dir, tool.pid);
      await this.ctx.setState('streaming', null);
      const { code, signal, stderr, ranMs } = await shipWhileReceiving(
        tool,
        this.ctx.shipIntervalMs,
        () => this.shipSoon(),
      ).finally(cleanup);
      if (this.stopped) return;
      if (ranMs >= WORKED_AFTER_MS) this.failures = 0;
      throw new Error(
        `mariadb-binlog ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: ${lastLines(redact(stderr, [password]), 2) || 'no error output'}`,
      );
    } catch (err) {
      if (this.stopped) return;
      const reason = (err as Error).message;
      const wait = restartDelayMs(this.failures);
      this.ctx.logger.warn({
        msg: 'binlog receiver stopped; starting again',
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

  /**
   * The binlog file receiving starts with: the one storage ends in, or (nothing stored) the
   * oldest base backup's, else the server's current one. When the server no longer has it, the
   * binlog in between is a gap and receiving starts at the oldest file the server has.
   */
  private async startingFile(): Promise<string> {
    const rows = await queryMariadb(
      this.connectionUrl,
      'SELECT @@gtid_binlog_state; SHOW BINARY LOGS',
    ).catch((err: Error) => {
      throw new Error(`the server's binlog files could not be listed: ${err.message}`);
    });
    const state = rows[0]?.[0] ?? '';
    const files = rows
      .slice(1)
      .map(([name]) => name)
      .filter(isBinlogFileName);
    if (files.length === 0) throw new Error('the server keeps no binary log (log_bin is OFF)');
    const oldest = files[0];
    const newest = files[files.length - 1];
    this.shippedTo = await this.ctx.shippedEnd();
    this.lastGtid = await this.ctx.lastGtid();
    if (this.lastGtid && gtidStateWentBack(state, this.lastGtid)) {
      throw new BinlogResetError(
        `its GTID state is "${state}", before ${this.lastGtid}, which the archive holds`,
      );
    }
    const from =
      this.shippedTo !== null ? lsnText(this.shippedTo) : await this.ctx.firstBackupPosition();
    if (from === null) return newest;
    const wanted = binlogCoordinates(from).fileNumber;
    if (wanted > binlogFileNumber(newest)) {
      throw new BinlogResetError(
        `its newest binlog file is ${newest}, older than the archive's position ${from}`,
      );
    }
    const kept = files.find((f) => binlogFileNumber(f) === wanted);
    if (kept) return kept;
    if (this.shippedTo !== null) {
      await this.ctx.gap(
        from,
        binlogPosition(oldest, 0),
        `the server purged its binlog files before ${oldest} before they reached storage (binlog_expire_logs_seconds, or PURGE BINARY LOGS, while no receiver ran)`,
      );
      this.shippedTo = lsnValue(binlogPosition(oldest, 0));
    }
    return oldest;
  }

  /** Queues a shipping pass after those under way; resolves when it is done (never rejects). */
  private shipSoon(): Promise<void> {
    this.shipping = this.shipping
      .then(() => (this.dir && !this.stopped ? this.ship(this.dir) : undefined))
      .catch((err: Error) => {
        if (err instanceof LeaseLostError) {
          void this.leaseLost(err);
          return;
        }
        if (err instanceof BinlogResetError) {
          // the restart that follows finds the same and fails, saying so
          void this.killTool();
        }
        this.ctx.logger.warn({
          msg: 'binlog not shipped yet',
          instanceId: this.instanceId,
          error: err.message,
        });
      });
    return this.shipping;
  }

  /**
   * Ships what arrived in `dir` since the last piece, oldest file first, then records that
   * storage held everything the server had written when this pass began, if it did.
   */
  private async ship(dir: string): Promise<void> {
    if (!(await this.ctx.holdsLease())) throw new LeaseLostError(this.ctx.lease);
    const position = await this.serverPosition();
    if (position && this.lastGtid && gtidStateWentBack(position.gtidState, this.lastGtid)) {
      throw new BinlogResetError(
        `its GTID state is "${position.gtidState}", before ${this.lastGtid}, which the archive holds`,
      );
    }
    const files = readdirSync(dir)
      .filter(isBinlogFileName)
      .sort((a, b) => binlogFileNumber(a) - binlogFileNumber(b));
    for (const file of files) {
      const number = BigInt(binlogFileNumber(file));
      const fileStart = number << 32n;
      const nextFile = (number + 1n) << 32n;
      if (this.shippedTo !== null && this.shippedTo >= nextFile) {
        // receiving starts at the file storage ends in, and a completed file is removed at
        // once: an older one arriving means the server started its numbering again
        throw new BinlogResetError(`it sent ${file}, which the archive has passed`);
      }
      if (this.shippedTo !== null && this.shippedTo < fileStart) {
        await this.ctx.gap(
          lsnText(this.shippedTo),
          lsnText(fileStart),
          'the binlog in between never reached the receiver',
        );
        this.shippedTo = fileStart;
      }
      const hasNext = file !== files[files.length - 1];
      const complete = await this.shipFile(dir, file, fileStart, hasNext);
      if (complete) unlinkSync(join(dir, file));
    }
    if (
      position &&
      this.shippedTo !== null &&
      this.shippedTo >= position.lsn &&
      // a position in a file the archive passed long ago is a reset, not a catch-up
      position.lsn >> 32n >= (this.shippedTo - 1n) >> 32n
    ) {
      await this.ctx.caughtUp(position.at, lsnText(this.shippedTo));
    }
    await this.ctx.checkContinuity();
  }

  /**
   * Ships the whole events of `file` that storage lacks; true once the file is complete: its
   * rotate or stop event is stored, or (`hasNext`: the server moved on to a later file, as after
   * a crash, which writes no stop event) all of it is.
   */
  private async shipFile(
    dir: string,
    file: string,
    fileStart: bigint,
    hasNext: boolean,
  ): Promise<boolean> {
    const path = join(dir, file);
    const nextFile = fileStart + (1n << 32n);
    for (;;) {
      const from =
        this.shippedTo !== null && this.shippedTo > fileStart
          ? Number(this.shippedTo - fileStart)
          : 0;
      const size = statSync(path).size;
      if (size > from) {
        const bytes = readPart(path, from, Math.min(size - from, PIECE_BYTES));
        const walk = walkBinlog(bytes, from, size);
        if (walk.validEnd > from) {
          const ends = walk.complete || (hasNext && walk.validEnd === size);
          const end = ends ? nextFile : fileStart + BigInt(walk.validEnd);
          await this.shipPiece(path, file, from, walk.validEnd, end, walk);
          this.shippedTo = end;
          if (ends) return true;
          continue;
        }
      }
      if (!hasNext || size > from) return false;
      // all of it is stored, but its end was not recorded as the file's: an empty piece does
      await this.shipPiece(path, file, from, from, nextFile, null);
      this.shippedTo = nextFile;
      return true;
    }
  }

  /**
   * Stores bytes [from, to) of a binlog file as one piece ending at `end`, and records it with
   * what its walk found (newest commit, GTIDs).
   */
  private async shipPiece(
    path: string,
    file: string,
    from: number,
    to: number,
    end: bigint,
    walk: Pick<BinlogWalk, 'newestCommitSecond' | 'firstGtid' | 'lastGtid'> | null,
  ): Promise<void> {
    const newestCommitSecond = walk?.newestCommitSecond ?? null;
    const key = await this.ctx.activeKey();
    const storageKey = walKey(
      this.instanceId,
      file,
      BigInt(from),
      this.ctx.lease.generation,
      this.writes++,
    );
    let archive: { size: bigint; sha256: string } | undefined;
    await this.ctx.storage.write(
      storageKey,
      async (sink) => {
        const bytes =
          to > from ? createReadStream(path, { start: from, end: to - 1 }) : Readable.from([]);
        archive = await writeArchive(bytes, key.passphrase, sink);
      },
      { createOnly: true },
    );
    await this.ctx
      .record({
        instanceId: this.instanceId,
        timeline: 1,
        segment: file,
        startLsn: binlogPosition(file, from),
        endLsn: lsnText(end),
        segmentSize: BINLOG_FILE_SPAN,
        storageKey,
        size: archive!.size,
        sha256: archive!.sha256,
        encryptionKeyId: key.id,
        // an event's time is its second: a restore to it holds the commits of earlier seconds,
        // all of which storage has (a later commit of the same second may still be missing)
        newestCommitAt:
          newestCommitSecond === null ? null : new Date(newestCommitSecond * 1000).toISOString(),
        firstGtid: walk?.firstGtid ?? null,
        lastGtid: walk?.lastGtid ?? null,
      })
      .catch(async (err: Error) => {
        await this.ctx.discard(storageKey);
        throw err;
      });
    if (walk?.lastGtid) this.lastGtid = walk.lastGtid;
  }

  /** The server's clock and binlog position before a pass looks at the files; null: unknown. */
  private async serverPosition(): Promise<{
    at: Date;
    lsn: bigint;
    gtidState: string;
  } | null> {
    try {
      const rows = await queryMariadb(
        this.connectionUrl,
        "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ'), @@gtid_binlog_state; SHOW MASTER STATUS",
      );
      const [[at, gtidState], [file, offset]] = rows;
      return {
        at: new Date(at),
        lsn: lsnValue(binlogPosition(file, Number(offset))),
        gtidState: gtidState ?? '',
      };
    } catch {
      return null;
    }
  }

  private async leaseLost(err: LeaseLostError): Promise<void> {
    if (this.stopped) return;
    this.ctx.logger.warn({
      msg: 'binlog receiver lease lost; this worker ships nothing more of the instance',
      instanceId: this.instanceId,
      error: err.message,
    });
    await this.stop();
    this.ctx.leaseLost();
  }

  private async killTool(): Promise<void> {
    const tool = this.tool;
    if (!tool || tool.exitCode !== null || tool.signalCode !== null) return;
    const closed = once(tool, 'close');
    tool.kill('SIGTERM');
    await closed.catch(() => undefined);
  }
}

/** Up to `length` bytes of a file from `from` (a longer event is walked by its header). */
function readPart(path: string, from: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    return read(fd, from, length);
  } finally {
    closeSync(fd);
  }
}

function read(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const got = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, got);
}
