import { slotNames } from '../engines/postgresql/replication-slots';
import { segmentRange, walKey } from './wal-names';

describe('WAL names', () => {
  it('reads the LSN range of a segment file name', () => {
    const mb16 = 16 * 1024 * 1024;
    expect(segmentRange('000000010000000000000003', mb16)).toEqual({
      timeline: 1,
      start: '0/3000000',
      end: '0/4000000',
    });
    // the last 16 MiB segment of a log file ends where the next log file starts
    expect(segmentRange('0000000200000016000000FF', mb16)).toEqual({
      timeline: 2,
      start: '16/FF000000',
      end: '17/0',
    });
  });

  it('names two slots per instance, valid as PostgreSQL slot names', () => {
    const { shipped, receiving } = slotNames('8377f207-21b4-48fd-a75b-78c1bcdef8ca');
    expect(shipped).toMatch(/^bm_[0-9a-f]{24}$/);
    expect(receiving).toBe(`${shipped}_rx`);
    expect(walKey('shop-db', '000000010000000000000003', 0n, 1n, 0)).toBe(
      'shop-db/wal/000000010000000000000003.00000000.g1-0.tgz',
    );
    // the same piece from the worker that took over the lease, or retried: another key
    expect(walKey('shop-db', '000000010000000000000003', 0x1527b10n, 7n, 3)).toBe(
      'shop-db/wal/000000010000000000000003.01527B10.g7-3.tgz',
    );
    expect(walKey('shop-db', '000000010000000000000003', 0x1527b10n, 8n, 0)).not.toBe(
      walKey('shop-db', '000000010000000000000003', 0x1527b10n, 7n, 0),
    );
  });
});
