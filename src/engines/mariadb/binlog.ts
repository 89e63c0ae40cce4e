/**
 * MariaDB's binary log, as the continuous archive of a MariaDB instance sees it: positions, the
 * events of a binlog file, and the position a dump was taken at.
 *
 * A position in the log is kept in the form PostgreSQL writes LSNs (`hi/lo`, hex), so that the
 * archive of either engine orders, chains and prunes its pieces alike: `hi` is the binlog file's
 * number (`binlog.000007` → 7) and `lo` the byte offset in that file. A file's size never reaches
 * 2^32 bytes, so every position of file N lies in [N/0, N+1/0): a file's span in the archive is
 * 2^32 (BINLOG_FILE_SPAN), and a completed file (one that ends in a rotate or stop event) ends at
 * the start of the next.
 */

/** The span of positions each binlog file owns in the archive (its "segment size"). */
export const BINLOG_FILE_SPAN = 2 ** 32;

/** A binlog file's name: a base name of letters, digits, `_.-`, a dot, its number (6+ digits). */
const FILE_NAME = /^([A-Za-z0-9_-][A-Za-z0-9_.-]*)\.(\d{6,})$/;

/** The number of a binlog file (`binlog.000007` → 7); throws on a name that has none. */
export function binlogFileNumber(file: string): number {
  const match = FILE_NAME.exec(file);
  if (!match) throw new Error(`"${file}" is not the name of a binlog file`);
  return Number(match[2]);
}

/** Whether `file` is named as a binlog file is (a base name, a dot, six digits or more). */
export const isBinlogFileName = (file: string) => FILE_NAME.test(file);

/** A position in the binlog as the archive writes it: `7/1A4` for byte 420 of file 7. */
export function binlogPosition(file: string, offset: number): string {
  return `${binlogFileNumber(file).toString(16).toUpperCase()}/${offset.toString(16).toUpperCase()}`;
}

/** The file number and byte offset of an archive position (`7/1A4` → file 7, byte 420). */
export function binlogCoordinates(position: string): { fileNumber: number; offset: number } {
  const [hi, lo] = position.split('/');
  return { fileNumber: parseInt(hi, 16), offset: parseInt(lo, 16) };
}

/** `binlog.000007` for number 7 in the series of `like` (same base name and width). */
export function binlogFileName(like: string, fileNumber: number): string {
  const match = FILE_NAME.exec(like);
  if (!match) throw new Error(`"${like}" is not the name of a binlog file`);
  return `${match[1]}.${String(fileNumber).padStart(match[2].length, '0')}`;
}

/** The four bytes every binlog file starts with. */
export const BINLOG_MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);

/** The event types the walk looks at (MariaDB's log_event.h). */
const QUERY_EVENT = 2;
const STOP_EVENT = 3;
const ROTATE_EVENT = 4;
const XID_EVENT = 16;
const GTID_EVENT = 162;
/** An event's common header: timestamp, type, server id, size, next position, flags. */
const HEADER_SIZE = 19;

/** What a walk over the events of part of a binlog file found. */
export interface BinlogWalk {
  /** the end of the last whole event (an event still being written is left for later) */
  validEnd: number;
  /**
   * the newest second in which a transaction ended (an XID or a query event, e.g. COMMIT or a
   * DDL statement), as the event says in seconds since 1970; null: none ended in this part
   */
  newestCommitSecond: number | null;
  /** the file ends here: its last event rotates to the next file, or the server stopped */
  complete: boolean;
  /** the first and last GTID (`domain-server-sequence`) of the transactions in this part */
  firstGtid: string | null;
  lastGtid: string | null;
}

/**
 * Walks the whole events of `bytes`, which hold a binlog file from byte `offset` on (`offset` is
 * the start of an event, or 0 for the file's start and its magic bytes). An event longer than
 * `bytes` counts as whole when the file holds all of it (`available`: its size), read by its
 * header alone, and ends the walk: a reader need never hold more of the file than it chose to.
 * Throws, naming the offset, where what should be an event is not one: the stream received is
 * not a binlog.
 */
export function walkBinlog(
  bytes: Buffer,
  offset: number,
  available = offset + bytes.length,
): BinlogWalk {
  const walk: BinlogWalk = {
    validEnd: offset,
    newestCommitSecond: null,
    complete: false,
    firstGtid: null,
    lastGtid: null,
  };
  let at = 0;
  if (offset === 0) {
    if (bytes.length < BINLOG_MAGIC.length) return walk;
    if (!bytes.subarray(0, 4).equals(BINLOG_MAGIC)) {
      throw new Error('the file does not start as a binlog file does');
    }
    at = BINLOG_MAGIC.length;
    walk.validEnd = at;
  }
  while (!walk.complete && at + HEADER_SIZE <= bytes.length) {
    const size = bytes.readUInt32LE(at + 9);
    if (size < HEADER_SIZE) {
      throw new Error(`byte ${offset + at} of the binlog file is not the start of an event`);
    }
    const type = bytes[at + 4];
    const longer = at + size > bytes.length;
    if (longer && (offset + at + size > available || type === GTID_EVENT)) break;
    if (type === QUERY_EVENT || type === XID_EVENT) {
      const second = bytes.readUInt32LE(at);
      if (walk.newestCommitSecond === null || second > walk.newestCommitSecond) {
        walk.newestCommitSecond = second;
      }
    }
    if (type === GTID_EVENT && size >= HEADER_SIZE + 12) {
      // the body: sequence number (8 bytes), domain id (4); the server id is the header's
      const sequence = bytes.readBigUInt64LE(at + HEADER_SIZE);
      const domain = bytes.readUInt32LE(at + HEADER_SIZE + 8);
      walk.lastGtid = `${domain}-${bytes.readUInt32LE(at + 5)}-${sequence}`;
      walk.firstGtid ??= walk.lastGtid;
    }
    walk.complete = type === ROTATE_EVENT || type === STOP_EVENT;
    at += size;
    walk.validEnd = offset + at;
    if (longer) break;
  }
  return walk;
}

/**
 * The binlog position a `mariadb-dump --master-data=2` dump was taken at, from the
 * `-- CHANGE MASTER TO MASTER_LOG_FILE='…', MASTER_LOG_POS=…;` line of its head; null when the
 * head read so far holds none.
 */
export function dumpBinlogPosition(head: string): { file: string; offset: number } | null {
  const match = /^-- CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+);$/m.exec(
    head,
  );
  return match && isBinlogFileName(match[1]) ? { file: match[1], offset: Number(match[2]) } : null;
}

/**
 * The connection server id a receiver reads an instance's binlog with (as a replica would): the
 * same for an instance whichever worker runs it, from a range (2^31 on) that servers and their
 * replicas rarely use.
 */
export function receiverServerId(instanceId: string): number {
  let hash = 2166136261;
  for (const c of instanceId) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  return 2 ** 31 + (hash % 2 ** 30);
}

/**
 * A binlog event time as `mariadb-binlog --stop-datetime` reads it in UTC (`2026-12-08
 * 10:00:05`): the whole second of `moment`. Replay stops at the first event of that second or
 * later, so that a restore holds the transactions whose commit event is of an earlier second:
 * each one ended before the moment.
 */
export function stopDatetime(moment: Date): string {
  return moment.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Whether the server's GTID state (`@@gtid_binlog_state`: `domain-server-sequence`, comma
 * separated) has gone back before `gtid`, a transaction the archive holds: its binlog was reset
 * (RESET MASTER) or it is another server, and its binlog does not continue the archive's.
 */
export function gtidStateWentBack(state: string, gtid: string): boolean {
  const [domain, server, sequence] = gtid.split('-');
  const entry = state
    .split(',')
    .map((g) => g.trim().split('-'))
    .find(([d, s]) => d === domain && s === server);
  return !entry || BigInt(entry[2]) < BigInt(sequence);
}
