import type { ContentCounter, TableCount } from '../shared/dump-engine';

const NL = 0x0a;
/** what a line of SQL must show to be judged: pg_dump's comment naming a table's data, or COPY */
const SQL_HEAD = 512;
/** what a line of COPY data must show: whether it is the end marker `\.` (with a CR, on Windows) */
const COPY_HEAD = 3;
const DATA_COMMENT = /^-- Data for Name: .*; Type: TABLE DATA;/;

/**
 * Counts the rows of each table in a plain pg_dump as it streams by: every table's data is a
 * `COPY <table> (…) FROM stdin;` line, one line per row, and a line `\.` (pg_dump writes the
 * comment `-- Data for Name: …; Type: TABLE DATA; …` just before it, which is how a COPY of a
 * function's body is told apart). COPY's text format escapes newlines and backslashes in values,
 * so a row is exactly one line and no row is `\.`. Keeps at most the first 512 bytes of a line,
 * and of a data line only its first 3.
 */
export class CopyRowCounter implements ContentCounter {
  private readonly counted: TableCount[] = [];
  private copying: TableCount | null = null;
  private dataCommentSeen = false;
  private head = Buffer.alloc(SQL_HEAD);
  private headLength = 0;

  see(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      const end = nl === -1 ? chunk.length : nl;
      const want = (this.copying ? COPY_HEAD : SQL_HEAD) - this.headLength;
      if (want > 0 && end > pos) {
        const take = Math.min(want, end - pos);
        chunk.copy(this.head, this.headLength, pos, pos + take);
        this.headLength += take;
      }
      if (nl === -1) return; // the line goes on in the next chunk
      this.line(this.head.subarray(0, this.headLength));
      this.headLength = 0;
      pos = nl + 1;
    }
  }

  tables(): TableCount[] {
    return this.counted;
  }

  private line(head: Buffer): void {
    if (this.copying) {
      const end = head[0] === 0x5c && head[1] === 0x2e && (head.length === 2 || head[2] === 0x0d);
      if (end) {
        this.counted.push(this.copying);
        this.copying = null;
      } else {
        this.copying.rows += 1;
      }
      return;
    }
    if (head.length < 5) return;
    const text = head.toString('utf8');
    if (DATA_COMMENT.test(text)) {
      this.dataCommentSeen = true;
    } else if (this.dataCommentSeen && text.startsWith('COPY ')) {
      this.dataCommentSeen = false;
      const table = qualifiedNameAt(text, 5);
      if (table) this.copying = { table, rows: 0 };
    }
  }
}

/**
 * The (possibly schema-qualified) name that starts at `from` in a line of SQL, as written there:
 * `public.orders`, `public."Order ""Items"""`. Null when none starts there.
 */
export function qualifiedNameAt(text: string, from: number): string | null {
  let pos = from;
  for (let part = 0; part < 2; part++) {
    if (text[pos] === '"') {
      pos += 1;
      for (;;) {
        const quote = text.indexOf('"', pos);
        if (quote === -1) return null;
        pos = quote + 1;
        if (text[pos] !== '"') break;
        pos += 1; // a doubled quote is part of the name
      }
    } else {
      const m = /^[^\s."(]+/.exec(text.slice(pos));
      if (!m) return null;
      pos += m[0].length;
    }
    if (text[pos] !== '.') break;
    pos += 1;
  }
  return text.slice(from, pos);
}

/** `schema.name` as written by pg_dump, split and unquoted: ["public", "Order \"Items\""]. */
export function splitQualifiedName(written: string): [string, string] {
  const parts: string[] = [];
  let pos = 0;
  while (pos < written.length) {
    if (written[pos] === '"') {
      let name = '';
      pos += 1;
      for (;;) {
        const quote = written.indexOf('"', pos);
        if (quote === -1) throw new Error(`unterminated name: ${written}`);
        name += written.slice(pos, quote);
        pos = quote + 1;
        if (written[pos] !== '"') break;
        name += '"';
        pos += 1;
      }
      parts.push(name);
    } else {
      const dot = written.indexOf('.', pos);
      const end = dot === -1 ? written.length : dot;
      parts.push(written.slice(pos, end));
      pos = end;
    }
    if (written[pos] === '.') pos += 1;
  }
  return parts.length === 1 ? ['public', parts[0]] : [parts[0], parts[1]];
}
