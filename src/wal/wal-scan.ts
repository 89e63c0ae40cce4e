import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { linkSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { baseEnvironment } from '../engines/shared/dump-process';
import { lsnValue } from './lsn';

/** What pg_waldump found in a segment. */
export interface SegmentScan {
  /** its newest commit's time, RFC 3339 to the microsecond; null when it holds none */
  newestCommitAt: string | null;
  /** where its valid WAL ends, for a segment still being written; null for a completed one */
  validEnd: bigint | null;
}

const COMMIT = /desc: COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC/;
const LSN = /[0-9A-F]+\/[0-9A-F]+/g;

/**
 * Reads a segment as pg_waldump does: the time of its newest commit (RFC 3339, to the
 * microsecond; null when it holds none),
 * the end of a restore window reached with it, and where its valid WAL ends — the LSN at which
 * pg_waldump stops, the last one its complaint names (for a segment still being written:
 * preallocated zeros, or a record not wholly received yet). A completed segment's complaint about
 * the next one, which is not there, is expected and ignored.
 */
export async function scanSegment(
  waldump: string,
  dir: string,
  segment: string,
  complete: boolean,
): Promise<SegmentScan> {
  // only transaction records are printed (it still reads every record): a segment's full
  // listing is tens of MB of text the worker would otherwise parse
  const child = spawn(waldump, ['--rmgr=Transaction', '--path', dir, segment], {
    env: { ...baseEnvironment(), TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const found: { newest: string | null; stderr: string } = { newest: null, stderr: '' };
  child.stderr.on(
    'data',
    (d: Buffer) => (found.stderr = (found.stderr + d.toString()).slice(-2000)),
  );
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const m = COMMIT.exec(line);
    if (m) found.newest = m[1];
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const { newest, stderr } = found;
  if (newest === null && code !== 0 && code !== 1) {
    throw new Error(`pg_waldump could not read segment ${segment} (exit ${code})`);
  }
  const stoppedAt = complete ? null : (stderr.match(LSN)?.at(-1) ?? null);
  return {
    // to the microsecond, as pg_waldump prints it: a JS Date would cut it to the millisecond
    newestCommitAt: newest === null ? null : `${newest.replace(' ', 'T')}Z`,
    validEnd: stoppedAt === null ? null : lsnValue(stoppedAt),
  };
}

/**
 * A hard link `<dir>/scan/<segment>` to the segment being written (pg_waldump reads a segment by
 * its own name), made afresh; links of earlier segments are removed. Null when the file is gone.
 */
export function linkForScan(dir: string, file: string, segment: string): string | null {
  const scan = join(dir, 'scan');
  mkdirSync(scan, { recursive: true, mode: 0o700 });
  for (const old of readdirSync(scan)) unlinkSync(join(scan, old));
  const link = join(scan, segment);
  try {
    linkSync(join(dir, file), link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return link;
}
