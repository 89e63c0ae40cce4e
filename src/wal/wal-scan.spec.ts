import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkForScan, scanSegment } from './wal-scan';

const SEGMENT = '000000010000000000000005';

/** A stand-in for pg_waldump that prints `stdout`, complains with `stderr` and exits `code`. */
function fakeWaldump(stdout: string, stderr: string, code: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-waldump-'));
  const tool = join(dir, 'pg_waldump');
  writeFileSync(
    tool,
    `#!/bin/sh\ncat <<'OUT'\n${stdout}\nOUT\ncat >&2 <<'ERR'\n${stderr}\nERR\nexit ${code}\n`,
  );
  chmodSync(tool, 0o755);
  return tool;
}

const commit = (lsn: string, at: string) =>
  `rmgr: Transaction len (rec/tot):     34/    34, tx:        745, lsn: ${lsn}, prev 0/05000028, desc: COMMIT ${at} UTC`;

describe('scanSegment', () => {
  it('finds the newest commit to the microsecond and where the valid WAL of a partial segment ends', async () => {
    const tool = fakeWaldump(
      [
        commit('0/05000060', '2026-12-07 10:00:00.000001'),
        commit('0/05000090', '2026-12-07 10:00:01.123456'),
      ].join('\n'),
      'pg_waldump: error: error in WAL record at 0/050000C0: invalid record length at 0/050000F8: expected at least 24, got 0',
      1,
    );
    await expect(scanSegment(tool, tmpdir(), SEGMENT, false)).resolves.toEqual({
      newestCommitAt: '2026-12-07T10:00:01.123456Z',
      validEnd: 0x050000f8n,
    });
  });

  it('ignores a completed segment’s complaint about the next one, and says when it holds no commit', async () => {
    const tool = fakeWaldump(
      '',
      'pg_waldump: error: could not find file "000000010000000000000006": No such file or directory',
      1,
    );
    await expect(scanSegment(tool, tmpdir(), SEGMENT, true)).resolves.toEqual({
      newestCommitAt: null,
      validEnd: null,
    });
  });

  it('fails when pg_waldump cannot read the segment at all', async () => {
    const tool = fakeWaldump('', 'pg_waldump: fatal: out of memory', 2);
    await expect(scanSegment(tool, tmpdir(), SEGMENT, true)).rejects.toThrow(
      `pg_waldump could not read segment ${SEGMENT} (exit 2)`,
    );
  });
});

describe('linkForScan', () => {
  it('links the segment being written under its own name, and only the newest one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-scan-'));
    writeFileSync(join(dir, '000000010000000000000004.partial'), 'a');
    writeFileSync(join(dir, `${SEGMENT}.partial`), 'b');
    linkForScan(dir, '000000010000000000000004.partial', '000000010000000000000004');
    const link = linkForScan(dir, `${SEGMENT}.partial`, SEGMENT);
    expect(link).toBe(join(dir, 'scan', SEGMENT));
    expect(readdirSync(join(dir, 'scan'))).toEqual([SEGMENT]);
  });

  it('says null when pg_receivewal renamed the file meanwhile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-scan-'));
    expect(linkForScan(dir, `${SEGMENT}.partial`, SEGMENT)).toBeNull();
    expect(existsSync(join(dir, 'scan', SEGMENT))).toBe(false);
  });
});
