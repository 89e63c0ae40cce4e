import { DumpFailedError } from '../shared/dump-engine';
import { binlogPosition, isBinlogFileName } from './binlog';
import { MariadbEngine } from './mariadb.engine';
import { queryMariadb } from './mariadb-query';

/**
 * The backups of a MariaDB instance with continuous archiving: base backups, each a
 * `mariadb-dump --single-transaction` that records, as comments in its head, the binlog position
 * and GTID its snapshot was taken at (`--master-data=2 --gtid`; no lock beyond the snapshot's). A
 * restore to a later moment replays the archived binlog from that position (binlog-replay.ts).
 * Downloaded, it is a plain dump that `mariadb` loads.
 */
export class MariadbBaseBackupEngine extends MariadbEngine {
  protected override readonly dumpFlags = ['--master-data=2', '--gtid'];

  /**
   * Where the server's binlog stands now (SHOW MASTER STATUS), as an archive position: the dump
   * that follows starts at or after it (the exact position is in the dump's head).
   */
  async walPosition(connectionUrl: string): Promise<string> {
    let rows: string[][];
    try {
      rows = await queryMariadb(connectionUrl, 'SHOW MASTER STATUS');
    } catch (err) {
      throw new DumpFailedError(`the binlog position could not be read: ${(err as Error).message}`);
    }
    const [file, position] = rows[0] ?? [];
    if (!file || !isBinlogFileName(file)) {
      throw new DumpFailedError(
        'the server keeps no binary log (log_bin is OFF), which continuous archiving needs',
      );
    }
    return binlogPosition(file, Number(position));
  }
}
