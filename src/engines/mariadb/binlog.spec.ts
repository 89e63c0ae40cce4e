import {
  BINLOG_MAGIC,
  binlogCoordinates,
  binlogFileName,
  binlogPosition,
  dumpBinlogPosition,
  gtidStateWentBack,
  receiverServerId,
  stopDatetime,
  walkBinlog,
} from './binlog';

/** One event: the common header (time, type, size) and `body` zero bytes. */
function event(second: number, type: number, body = 8): Buffer {
  const e = Buffer.alloc(19 + body);
  e.writeUInt32LE(second, 0);
  e[4] = type;
  e.writeUInt32LE(7, 5);
  e.writeUInt32LE(19 + body, 9);
  return e;
}

describe('binlog positions', () => {
  it('orders by file number, then offset, as archive positions do', () => {
    expect(binlogPosition('binlog.000007', 420)).toBe('7/1A4');
    expect(binlogPosition('mysql-bin.1000000', 4)).toBe('F4240/4');
    expect(binlogCoordinates('7/1A4')).toEqual({ fileNumber: 7, offset: 420 });
    expect(binlogFileName('binlog.000007', 12)).toBe('binlog.000012');
    expect(() => binlogPosition('binlog', 4)).toThrow(/not the name of a binlog file/);
  });

  it('reads the position from the head of a --master-data=2 dump', () => {
    const head = `-- Server version\t10.11\n\n-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000003', MASTER_LOG_POS=1448;\n`;
    expect(dumpBinlogPosition(head)).toEqual({ file: 'binlog.000003', offset: 1448 });
    expect(dumpBinlogPosition('-- MariaDB dump 10.19\n')).toBeNull();
  });

  it('gives each instance its own receiver server id, the same every time', () => {
    const a = receiverServerId('4f6c7e0a-1111-4b5e-9c51-000000000001');
    expect(a).toBe(receiverServerId('4f6c7e0a-1111-4b5e-9c51-000000000001'));
    expect(a).not.toBe(receiverServerId('4f6c7e0a-1111-4b5e-9c51-000000000002'));
    expect(a).toBeGreaterThanOrEqual(2 ** 31);
    expect(a).toBeLessThan(2 ** 32);
  });

  it("sees a server's GTID state go back before what the archive holds", () => {
    expect(gtidStateWentBack('0-1-57,1-2-3', '0-1-57')).toBe(false);
    expect(gtidStateWentBack('0-1-60', '0-1-57')).toBe(false);
    expect(gtidStateWentBack('0-1-12', '0-1-57')).toBe(true);
    expect(gtidStateWentBack('', '0-1-57')).toBe(true);
    expect(gtidStateWentBack('0-9-900', '0-1-57')).toBe(true);
  });

  it('stops replay at the whole second of a moment, in UTC', () => {
    expect(stopDatetime(new Date('2026-12-08T10:00:05.999Z'))).toBe('2026-12-08 10:00:05');
  });
});

describe('walkBinlog', () => {
  it('keeps to whole events and finds the newest commit', () => {
    const file = Buffer.concat([
      BINLOG_MAGIC,
      event(100, 15, 40), // format description
      event(101, 2), // query (BEGIN/DDL)
      event(103, 16), // xid: a commit
      event(104, 30).subarray(0, 10), // being written
    ]);
    const walk = walkBinlog(file, 0);
    expect(walk.validEnd).toBe(4 + 59 + 27 + 27);
    expect(walk.newestCommitSecond).toBe(103);
    expect(walk.complete).toBe(false);
  });

  it('walks on from an offset, and sees a file end at its rotate event', () => {
    const tail = Buffer.concat([event(200, 16), event(201, 4, 16)]);
    expect(walkBinlog(tail, 500)).toEqual({
      validEnd: 500 + 27 + 35,
      newestCommitSecond: 200,
      complete: true,
      firstGtid: null,
      lastGtid: null,
    });
  });

  it('names the first and last transaction of a part by their GTIDs', () => {
    const gtid = (sequence: bigint) => {
      const e = event(300, 162, 13);
      e.writeBigUInt64LE(sequence, 19);
      e.writeUInt32LE(0, 27);
      return e;
    };
    const part = Buffer.concat([gtid(41n), event(300, 16), gtid(42n), event(301, 16)]);
    expect(walkBinlog(part, 900)).toMatchObject({ firstGtid: '0-7-41', lastGtid: '0-7-42' });
  });

  it('takes an event longer than what was read by its header, when the file holds it all', () => {
    const long = event(400, 16, 1000); // an xid event of 1019 bytes, of which 40 were read
    const read = Buffer.concat([event(399, 2), long.subarray(0, 40)]);
    expect(walkBinlog(read, 100, 100 + 27 + 1019)).toMatchObject({
      validEnd: 100 + 27 + 1019,
      newestCommitSecond: 400,
    });
    // the file does not hold all of it yet: it waits
    expect(walkBinlog(read, 100, 100 + 27 + 500)).toMatchObject({
      validEnd: 100 + 27,
      newestCommitSecond: 399,
    });
  });

  it('refuses what is not a binlog', () => {
    expect(() => walkBinlog(Buffer.from('not a binlog at all'), 0)).toThrow(/binlog file/);
    const bad = event(1, 2);
    bad.writeUInt32LE(3, 9);
    expect(() => walkBinlog(bad, 8)).toThrow(/byte 8 .* not the start of an event/);
  });
});
