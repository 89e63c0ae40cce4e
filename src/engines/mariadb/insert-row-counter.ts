import type { ContentCounter, TableCount } from '../shared/dump-engine';

const NL = 0x0a;
const QUOTE = 0x27; // '
const BACKSLASH = 0x5c;
const OPEN = 0x28; // (
const CLOSE = 0x29; // )
const SEMICOLON = 0x3b;
/** enough of a line to judge it: the data comment or `INSERT INTO `<64 characters>` VALUES ` */
const HEAD = 512;
const DATA_COMMENT = /^-- Dumping data for table `((?:[^`]|``)+)`/;

/**
 * Counts the rows of each table in a mariadb-dump as it streams by. A table's data follows the
 * comment `-- Dumping data for table `t``, as statements `INSERT INTO `t` VALUES (…),(…);` (on
 * one line, or a row per line), up to `UNLOCK TABLES;`. A row is a parenthesised tuple at the top level of such a line: strings are
 * single-quoted with backslash escapes (and binary values written as hex, --hex-blob), so a
 * parenthesis counts only outside a string, and the statement ends at a `;` outside one. Looks at
 * every byte of the INSERT statements (in one pass, keeping nothing but the first 512 bytes of a
 * line).
 */
export class InsertRowCounter implements ContentCounter {
  private readonly counted = new Map<string, number>();
  private dataTable: string | null = null;
  /** the table whose INSERT line is being read; null: outside one */
  private inserting: string | null = null;
  private inString = false;
  private escaped = false;
  private depth = 0;
  private head = Buffer.alloc(HEAD);
  private headLength = 0;
  /** the rest of the current line is not judged (a long line that is no INSERT) */
  private skipping = false;

  see(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.inserting !== null) {
        pos = this.scan(chunk, pos);
        continue;
      }
      const nl = chunk.indexOf(NL, pos);
      const end = nl === -1 ? chunk.length : nl;
      if (this.skipping) {
        if (nl === -1) return;
        this.endOfLine();
        pos = nl + 1;
        continue;
      }
      const take = Math.min(HEAD - this.headLength, end - pos);
      chunk.copy(this.head, this.headLength, pos, pos + take);
      this.headLength += take;
      pos += take;
      const lineEnded = nl !== -1 && pos === end;
      if (!lineEnded && this.headLength < HEAD) return; // the head goes on in the next chunk
      const rest = this.judge(this.head.subarray(0, this.headLength));
      // an INSERT goes on past its head (the loop scans on from here), up to its `;`
      if (rest !== null) this.scan(rest, 0);
      if (this.inserting !== null) continue;
      if (lineEnded) {
        this.endOfLine();
        pos = nl + 1;
      } else {
        this.skipping = true;
      }
    }
  }

  tables(): TableCount[] {
    return [...this.counted].map(([table, rows]) => ({ table, rows }));
  }

  private endOfLine(): void {
    this.headLength = 0;
    this.skipping = false;
  }

  /**
   * Judges a line by its head; for an INSERT INTO the data table, starts counting and returns
   * the part of the head after `VALUES `.
   */
  private judge(head: Buffer): Buffer | null {
    const text = head.toString('latin1');
    const comment = DATA_COMMENT.exec(text);
    if (comment) {
      this.dataTable = Buffer.from(comment[1], 'latin1').toString('utf8').replace(/``/g, '`');
      if (!this.counted.has(this.dataTable)) this.counted.set(this.dataTable, 0);
      return null;
    }
    if (text.startsWith('UNLOCK TABLES;')) {
      this.dataTable = null;
      return null;
    }
    if (this.dataTable === null || !text.startsWith('INSERT INTO `')) return null;
    const values = text.indexOf(' VALUES');
    if (values === -1) return null;
    this.inserting = this.dataTable;
    this.inString = false;
    this.escaped = false;
    this.depth = 0;
    return head.subarray(values + 7);
  }

  /**
   * Counts top-level tuples from `pos` up to the `;` that ends the INSERT (outside a string; a
   * statement may span lines, a row per line) or the end of `buf`; returns where it stopped.
   * After the `;`, the rest of its line is not judged.
   */
  private scan(buf: Buffer, pos: number): number {
    const table = this.inserting!;
    let rows = 0;
    let i = pos;
    for (; i < buf.length; i++) {
      const b = buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN) {
        if (this.depth === 0) rows += 1;
        this.depth += 1;
      } else if (b === CLOSE) this.depth -= 1;
      else if (b === SEMICOLON && this.depth === 0) {
        this.counted.set(table, (this.counted.get(table) ?? 0) + rows);
        this.inserting = null;
        this.headLength = 0;
        this.skipping = true;
        return i + 1;
      }
    }
    this.counted.set(table, (this.counted.get(table) ?? 0) + rows);
    return i;
  }
}
