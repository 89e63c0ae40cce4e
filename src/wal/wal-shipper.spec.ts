import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGunzip } from 'node:zlib';
import { createOpensslDecryptStream } from '../crypto/openssl-enc';
import { MemoryStorageDriver } from '../storage/memory-storage.driver';
import { LeaseLostError, type NewSegment } from './wal.repository';
import type { SegmentScan } from './wal-scan';
import { WalShipper, type ShipperContext } from './wal-shipper';

const MIB = 1024 * 1024;
const PASSPHRASE = 'shipper-test-passphrase';
const SEGMENT = (n: number) => `0000000100000000${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** A shipper on a directory of its own, with memory storage and a context that writes it down. */
function setUp(options: { holds?: boolean; recordFails?: Error; keepDiscarded?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bm-shipper-'));
  const storage = new MemoryStorageDriver();
  const seen = {
    recorded: [] as NewSegment[],
    gaps: [] as Array<[string, string, string]>,
    discarded: [] as string[],
    caughtUp: [] as string[],
    advanced: [] as string[],
    continuityChecks: 0,
  };
  const scans = new Map<string, SegmentScan>();
  const ctx: ShipperContext = {
    storage,
    lease: { instanceId: 'inst-1', workerId: 'w', generation: 7n },
    holdsLease: () => Promise.resolve(options.holds ?? true),
    activeKey: () => Promise.resolve({ id: 'key-1', passphrase: PASSPHRASE }),
    record: (s) => {
      if (options.recordFails) {
        const err = options.recordFails;
        delete options.recordFails; // once
        return Promise.reject(err);
      }
      seen.recorded.push(s);
      return Promise.resolve();
    },
    discard: (key) => {
      seen.discarded.push(key);
      // keepDiscarded: storage failed to remove it now (it is removed later)
      return options.keepDiscarded ? Promise.resolve() : storage.delete(key);
    },
    checkContinuity: () => {
      seen.continuityChecks++;
      return Promise.resolve();
    },
    caughtUp: (_at, lsn) => {
      seen.caughtUp.push(lsn);
      return Promise.resolve();
    },
    gap: (from, to, reason) => {
      seen.gaps.push([from, to, reason]);
      return Promise.resolve();
    },
  };
  let position: bigint | null = null;
  const shipper = new WalShipper('inst-1', ctx, {
    scan: (_dir, segment) =>
      Promise.resolve(scans.get(segment) ?? { newestCommitAt: null, validEnd: null }),
    linkForScan: (d, file) => join(d, file),
    serverPosition: () =>
      Promise.resolve(position === null ? null : { at: new Date(), lsn: position }),
    advanceShipped: (lsn) => {
      seen.advanced.push(lsn);
      return Promise.resolve();
    },
  });
  shipper.restart({ shippedTo: null, gapReason: null, segmentSize: MIB });
  return {
    dir,
    storage,
    seen,
    shipper,
    scans,
    serverAt: (lsn: bigint) => (position = lsn),
  };
}

/** What a stored piece holds, opened as a user would: openssl, then gunzip. */
async function opened(storage: MemoryStorageDriver, key: string): Promise<Buffer> {
  const stored = storage.bytes(key)!;
  return buffer(
    Readable.from([stored]).pipe(createOpensslDecryptStream(PASSPHRASE)).pipe(createGunzip()),
  );
}

describe('WalShipper', () => {
  it('ships a completed segment whole, records it, removes the file and lets the slot go', async () => {
    const t = setUp();
    const wal = randomBytes(MIB);
    writeFileSync(join(t.dir, SEGMENT(3)), wal);
    t.scans.set(SEGMENT(3), { newestCommitAt: '2026-12-07T10:00:00.123456Z', validEnd: null });
    t.serverAt(4n * BigInt(MIB));
    await t.shipper.ship(t.dir);

    expect(t.seen.recorded).toHaveLength(1);
    const [piece] = t.seen.recorded;
    expect(piece).toMatchObject({
      segment: SEGMENT(3),
      startLsn: '0/300000',
      endLsn: '0/400000',
      timeline: 1,
      encryptionKeyId: 'key-1',
      newestCommitAt: '2026-12-07T10:00:00.123456Z',
    });
    // the generation of the lease is in the key
    expect(piece.storageKey).toMatch(/^inst-1\/wal\/.*\.g7-0\.tgz$/);
    expect((await opened(t.storage, piece.storageKey)).equals(wal)).toBe(true);
    expect(readdirSync(t.dir)).toEqual([]);
    expect(t.seen.advanced).toEqual(['0/400000']);
    expect(t.seen.caughtUp).toEqual(['0/400000']);
    expect(t.seen.continuityChecks).toBe(1);
  });

  it('ships the segment being written up to its valid end, then only what came after', async () => {
    const t = setUp();
    const partial = join(t.dir, `${SEGMENT(5)}.partial`);
    const first = randomBytes(100_000);
    writeFileSync(partial, Buffer.concat([first, Buffer.alloc(MIB - first.length)]));
    t.scans.set(SEGMENT(5), { newestCommitAt: null, validEnd: 5n * BigInt(MIB) + 100_000n });
    await t.shipper.ship(t.dir);

    const more = randomBytes(50_000);
    const file = Buffer.concat([first, more, Buffer.alloc(MIB - 150_000)]);
    writeFileSync(partial, file);
    t.scans.set(SEGMENT(5), { newestCommitAt: null, validEnd: 5n * BigInt(MIB) + 150_000n });
    await t.shipper.ship(t.dir);

    expect(t.seen.recorded.map((p) => [p.startLsn, p.endLsn])).toEqual([
      ['0/500000', '0/5186A0'],
      ['0/5186A0', '0/5249F0'],
    ]);
    const keys = t.seen.recorded.map((p) => p.storageKey);
    expect(new Set(keys).size).toBe(2);
    expect((await opened(t.storage, keys[0])).equals(first)).toBe(true);
    expect((await opened(t.storage, keys[1])).equals(more)).toBe(true);
    // the segment being written stays for pg_receivewal
    expect(existsSync(partial)).toBe(true);
  });

  it('records a gap when the first segment received starts after what storage has, with why', async () => {
    const t = setUp();
    t.shipper.restart({
      shippedTo: 2n * BigInt(MIB),
      gapReason: 'the slot was invalidated',
      segmentSize: MIB,
    });
    writeFileSync(join(t.dir, SEGMENT(4)), randomBytes(MIB));
    await t.shipper.ship(t.dir);
    expect(t.seen.gaps).toEqual([['0/200000', '0/400000', 'the slot was invalidated']]);
    expect(t.seen.recorded.map((p) => p.startLsn)).toEqual(['0/400000']);

    // later breaks have no known reason
    writeFileSync(join(t.dir, SEGMENT(7)), randomBytes(MIB));
    await t.shipper.ship(t.dir);
    expect(t.seen.gaps[1]).toEqual([
      '0/500000',
      '0/700000',
      'the WAL in between never reached the receiver',
    ]);
  });

  it('ships nothing once the lease is lost', async () => {
    const t = setUp({ holds: false });
    writeFileSync(join(t.dir, SEGMENT(3)), randomBytes(MIB));
    await expect(t.shipper.ship(t.dir)).rejects.toBeInstanceOf(LeaseLostError);
    expect(t.storage.keys()).toEqual([]);
    expect(t.seen.recorded).toEqual([]);
    // the file stays: the worker that holds the lease now receives that WAL again
    expect(readdirSync(t.dir)).toEqual([SEGMENT(3)]);
  });

  it('removes a piece it stored but could not record, and says why', async () => {
    const t = setUp({
      recordFails: new LeaseLostError({ instanceId: 'inst-1', workerId: 'w', generation: 7n }),
    });
    writeFileSync(join(t.dir, SEGMENT(3)), randomBytes(MIB));
    await expect(t.shipper.ship(t.dir)).rejects.toBeInstanceOf(LeaseLostError);
    expect(t.seen.discarded).toHaveLength(1);
    expect(t.storage.keys()).toEqual([]);
    expect(t.seen.advanced).toEqual([]);
  });

  it('writes each piece under a key of its own across restarts of the receiver', async () => {
    // the first piece is stored, not recorded, and storage keeps it for now
    const t = setUp({ recordFails: new Error('database gone'), keepDiscarded: true });
    writeFileSync(join(t.dir, SEGMENT(3)), randomBytes(MIB));
    await expect(t.shipper.ship(t.dir)).rejects.toThrow('database gone');
    // pg_receivewal starts again from what storage has (nothing): the same WAL arrives again
    t.shipper.restart({ shippedTo: null, gapReason: null, segmentSize: MIB });
    await t.shipper.ship(t.dir);
    expect(t.seen.recorded.map((p) => p.startLsn)).toEqual(['0/300000']);
    expect(t.seen.recorded[0].storageKey).not.toBe(t.seen.discarded[0]);
    expect(t.storage.keys()).toHaveLength(2);
  });
});
