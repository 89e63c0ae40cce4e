import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable, Transform, TransformCallback, pipeline } from 'node:stream';
import { baseEnvironment } from '../shared/dump-process';
import { RestoreFailedError } from '../shared/restore-process';

/**
 * psql executes meta-commands (`\!` runs a shell command) found in its input, and a restore's
 * input is a dump that came from the instance and back from storage: neither is ours to trust.
 * `\restrict <key>` (psql 17.6, 16.10, 15.14, 14.19, 13.22 and later) makes psql refuse every
 * meta-command but `\unrestrict <key>`; we send it before the dump's first byte with a random
 * key the dump cannot know. Since psql refuses a second `\restrict`, the dump's own
 * `\restrict`/`\unrestrict` lines (pg_dump writes them since the same releases) are dropped on
 * the way; nothing else is changed, and any other meta-command in the dump stops the restore.
 */
export function restrictPrologue(): string {
  return `\\restrict ${randomBytes(24).toString('base64url')}\n`;
}

/** The first release of each major whose psql has `\restrict`. */
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

/** True when psql of this version (e.g. "15.20", "18.1") knows `\restrict`. */
export function psqlCanRestrict(version: string): boolean {
  const [major, minor = 0] = version.split('.').map(Number);
  if (major >= 18) return true;
  const since = RESTRICT_SINCE[major];
  return since !== undefined && minor >= since;
}

const checked = new Map<string, string | null>();

/**
 * Refuses (RestoreFailedError naming the package) a psql that cannot be restricted; a restore
 * never runs with a psql that would execute what the dump says.
 */
export function assertPsqlCanRestrict(psql: string, serverMajor: number): void {
  if (!checked.has(psql)) {
    let version: string | null = null;
    try {
      const out = execFileSync(psql, ['--version'], {
        encoding: 'utf8',
        env: baseEnvironment(),
      });
      version = /(\d+(?:\.\d+)?)/.exec(out.replace(/^[^)]*\)/, ''))?.[1] ?? null;
    } catch {
      version = null; // not installed: spawning it will say so
    }
    checked.set(psql, version);
  }
  const version = checked.get(psql);
  if (version && !psqlCanRestrict(version)) {
    throw new RestoreFailedError(
      `psql ${version} cannot be kept from running commands found in a dump (\\restrict came ` +
        `with 13.22, 14.19, 15.14, 16.10 and 17.6); install a current postgresql-client-${serverMajor} on the workers`,
    );
  }
}

const NL = 0x0a;
const BACKSLASH = 0x5c;
/** the start of a COPY header */
const COPY_ = Buffer.from('COPY ', 'latin1');
/** the start of a line, nothing of it seen yet */
const LINE_START = Buffer.alloc(0);
/** A line that can only be a `\restrict`/`\unrestrict` or a COPY header is never longer. */
const MAX_SPECIAL_LINE = 64 * 1024;
const RESTRICT_LINE = /^\\(un)?restrict(\s[^\n]*)?\n?$/;
const COPY_HEADER = /^COPY .* FROM stdin;\r?\n$/;
const COPY_END = /^\\\.\r?\n$/;

/**
 * Passes a plain-format dump through unchanged except for its `\restrict` and `\unrestrict`
 * lines, which are dropped. The lines of COPY data blocks are left alone (a data line may start
 * with `\r`, an escaped carriage return). Streams: ordinary lines pass as slices of the chunks
 * they came in; only the start of a line that may be special is held back, never a data line.
 */
export function dropRestrictLines(): Transform {
  let inCopy = false;
  /** the start of the current line, held while it may still be special; null: ordinary line */
  let held: Buffer | null = LINE_START;

  /**
   * whether a line whose first bytes are `chunk[from, to)` may need a look once complete; reads
   * them in place, as it runs for every line of the dump
   */
  const mayBeSpecial = (chunk: Buffer, from: number, to: number): boolean => {
    const length = to - from;
    if (length === 0) return true;
    if (inCopy) return chunk[from] === BACKSLASH && length <= 4; // `\.` with LF or CRLF
    if (length > MAX_SPECIAL_LINE) return false;
    if (chunk[from] === BACKSLASH) return true;
    for (let i = 0; i < Math.min(length, COPY_.length); i++) {
      if (chunk[from + i] !== COPY_[i]) return false;
    }
    return true;
  };

  /** decides on one complete line that may be special; true: drop it */
  const drop = (line: Buffer): boolean => {
    const text = line.toString('utf8');
    if (inCopy) {
      if (COPY_END.test(text)) inCopy = false;
      return false;
    }
    if (RESTRICT_LINE.test(text)) return true;
    if (COPY_HEADER.test(text)) inCopy = true;
    return false;
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      let run = 0; // start of the bytes of this chunk not yet passed on
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(NL, pos);
        const end = nl === -1 ? chunk.length : nl + 1;
        if (held === null) {
          // the rest of a line already judged ordinary
          if (nl !== -1) held = LINE_START;
          pos = end;
          continue;
        }
        if (held.length === 0 && !mayBeSpecial(chunk, pos, end)) {
          // the common case, a line that starts in this chunk and is ordinary: passed on as it is
          if (nl === -1) held = null;
          pos = end;
          continue;
        }
        const start =
          held.length === 0
            ? chunk.subarray(pos, end)
            : Buffer.concat([held, chunk.subarray(pos, end)]);
        if (!mayBeSpecial(start, 0, start.length)) {
          this.push(held);
          run = pos;
          held = nl === -1 ? null : LINE_START;
          pos = end;
          continue;
        }
        if (nl === -1) {
          // may be special and is not complete yet: hold it (the chunk may be re-used)
          if (pos > run) this.push(chunk.subarray(run, pos));
          held = Buffer.from(start);
          pos = run = end;
          continue;
        }
        const dropped = drop(start);
        if (held.length > 0 || dropped) {
          if (pos > run) this.push(chunk.subarray(run, pos));
          if (!dropped) this.push(start);
          run = end;
        }
        held = LINE_START;
        pos = end;
      }
      if (run < chunk.length) this.push(chunk.subarray(run));
      done();
    },
    flush(done: TransformCallback) {
      // a last line without a newline: passed on unless it is one to drop
      if (held && held.length > 0 && (inCopy || !RESTRICT_LINE.test(held.toString('utf8')))) {
        this.push(held);
      }
      done();
    },
  });
}

/**
 * `input` through dropRestrictLines, as one stream: an error of `input` errors it, and
 * destroying it destroys `input`, so whoever reads it sees every failure.
 */
export function withoutRestrictLines(input: Readable): Readable {
  const filtered = dropRestrictLines();
  pipeline(input, filtered, () => undefined); // failures reach the reader through `filtered`
  return filtered;
}
