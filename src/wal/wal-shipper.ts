import { createReadStream, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeArchive } from '../archive/archive-format';
import type { StorageDriver } from '../storage/storage-driver';
import { lsnText } from './lsn';
import { PARTIAL_NAME, SEGMENT_NAME, segmentBounds, walKey } from './wal-names';
import { LeaseLostError, type NewSegment, type ReceiverLease } from './wal.repository';
import type { SegmentScan } from './wal-scan';

/** What the shipper needs from its worker (the receiver's context, ReceiverContext). */
export interface ShipperContext {
  storage: StorageDriver;
  /** the worker's lease on the receiver (its generation is in keys) */
  lease: ReceiverLease;
  /** whether the worker still holds that lease (asked before every pass) */
  holdsLease(): Promise<boolean>;
  /** the key id and passphrase new archives of the instance are encrypted with */
  activeKey(): Promise<{ id: string; passphrase: string }>;
  /** records a stored piece; LeaseLostError when the lease is gone (nothing is recorded) */
  record(segment: NewSegment): Promise<void>;
  /** removes a stored piece that was not recorded (now, or later when storage fails now) */
  discard(storageKey: string): Promise<void>;
  /** looks for breaks in the recorded pieces, whatever their cause, and records them as gaps */
  checkContinuity(): Promise<void>;
  /** storage held all the WAL the server had written at `at` (its clock), up to `lsn` */
  caughtUp(at: Date, lsn: string): Promise<void>;
  /** WAL from `from` to `to` never reached storage, for `reason` */
  gap(from: string, to: string, reason: string): Promise<void>;
}

/** What the shipper asks of the instance and of pg_waldump (the receiver's, in production). */
export interface ShipperTools {
  /** reads a segment (`complete`: pg_receivewal finished it) in `dir` as pg_waldump does */
  scan(dir: string, segment: string, complete: boolean): Promise<SegmentScan>;
  /** a hard link to the segment being written, named as the segment; null when it is gone */
  linkForScan(dir: string, file: string, segment: string): string | null;
  /** where the server's WAL insertion stands and its clock; null when it cannot be asked */
  serverPosition(): Promise<{ at: Date; lsn: bigint } | null>;
  /** lets the server go of the WAL before `lsn` (the shipped slot advances) */
  advanceShipped(lsn: string): Promise<void>;
}

/** Where shipping starts again after pg_receivewal (re)started. */
export interface ShipperStart {
  /** the end of the newest piece in storage (null: none) */
  shippedTo: bigint | null;
  /** why WAL between that end and the first segment received may be missing (null: none is) */
  gapReason: string | null;
  segmentSize: number;
}

/**
 * Ships one instance's WAL from pg_receivewal's directory to storage, in pieces: every pass, what
 * arrived since the last piece, the segment being written included (never the whole of it
 * again), each piece written once under a key of its own and then recorded.
 */
export class WalShipper {
  /** the end of what storage holds of the instance's WAL, as this shipper knows it */
  private shippedTo: bigint | null = null;
  private gapReason: string | null = null;
  private segmentSize = 16 * 1024 * 1024;
  /**
   * how many pieces this receiver has written (part of each key, with the lease's generation:
   * no key is written twice, across the receiver's restarts too)
   */
  private writes = 0;

  constructor(
    private readonly instanceId: string,
    private readonly ctx: ShipperContext,
    private readonly tools: ShipperTools,
  ) {}

  /** After pg_receivewal (re)started: where storage ends, and why WAL may be missing before. */
  restart(start: ShipperStart): void {
    this.shippedTo = start.shippedTo;
    this.gapReason = start.gapReason;
    this.segmentSize = start.segmentSize;
  }

  /**
   * Ships what arrived in `dir` since the last piece, oldest first: the rest of each completed
   * segment (then removed), and the valid part of the segment being written that storage lacks;
   * then lets the server go of it. When storage then holds everything the server had written
   * before this pass looked, that moment is recorded: the window reaches it even without a
   * commit. LeaseLostError, storing or recording nothing, when the lease is no longer held.
   */
  async ship(dir: string): Promise<void> {
    if (!(await this.ctx.holdsLease())) throw new LeaseLostError(this.ctx.lease);
    const position = await this.tools.serverPosition();
    const files = readdirSync(dir)
      .filter((f) => SEGMENT_NAME.test(f) || PARTIAL_NAME.test(f))
      .sort();
    const before = this.shippedTo;
    for (const file of files) {
      const segment = file.slice(0, 24);
      const bounds = segmentBounds(segment, this.segmentSize);
      const complete = file === segment;
      // a hard link reads the same bytes even once pg_receivewal renamed the finished file
      const path = complete ? join(dir, file) : this.tools.linkForScan(dir, file, segment);
      if (!path) break; // renamed meanwhile: the next pass takes it as a completed segment
      const scan = await this.tools.scan(dirname(path), segment, complete);
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
      await this.tools.advanceShipped(lsnText(this.shippedTo));
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
}
