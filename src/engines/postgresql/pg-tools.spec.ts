import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DumpFailedError } from '../shared/dump-engine';
import { installedPgMajors, pgToolsFor, pickPgMajor } from './pg-tools';

describe('choosing pg_dump by the server version', () => {
  let root: string;
  beforeAll(() => {
    // what the image holds: the client tools of PostgreSQL 13 to 17, plus noise
    root = mkdtempSync(join(tmpdir(), 'pg-tools-'));
    for (const major of [13, 14, 15, 16, 17]) {
      mkdirSync(join(root, String(major), 'bin'), { recursive: true });
      writeFileSync(join(root, String(major), 'bin', 'pg_dump'), '');
      writeFileSync(join(root, String(major), 'bin', 'psql'), '');
    }
    mkdirSync(join(root, '12', 'lib'), { recursive: true }); // a server package, no pg_dump
    mkdirSync(join(root, 'common'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds the installed majors that have a pg_dump', () => {
    expect(installedPgMajors(root)).toEqual([13, 14, 15, 16, 17]);
    expect(installedPgMajors(join(root, 'missing'))).toEqual([]);
  });

  it.each([13, 17])('dumps a PostgreSQL %i server with its own major’s tools', (major) => {
    expect(pgToolsFor(major, root)).toEqual({
      pgDump: join(root, String(major), 'bin', 'pg_dump'),
      psql: join(root, String(major), 'bin', 'psql'),
      pgBasebackup: join(root, String(major), 'bin', 'pg_basebackup'),
      pgReceivewal: join(root, String(major), 'bin', 'pg_receivewal'),
      pgWaldump: join(root, String(major), 'bin', 'pg_waldump'),
    });
  });

  it('takes the oldest newer pg_dump when the exact one is missing', () => {
    expect(pickPgMajor(12, [13, 17])).toBe(13);
    expect(pickPgMajor(15, [13, 16, 17])).toBe(16);
  });

  it('refuses a server newer than every pg_dump, naming the package to install', () => {
    expect(pickPgMajor(18, [13, 17])).toBeNull();
    expect(() => pgToolsFor(18, root)).toThrow(DumpFailedError);
    expect(() => pgToolsFor(18, root)).toThrow(/install postgresql-client-18/);
  });

  it('uses the tools on the PATH where no versioned tools are installed', () => {
    expect(pgToolsFor(16, join(root, 'missing'))).toEqual({
      pgDump: 'pg_dump',
      psql: 'psql',
      pgBasebackup: 'pg_basebackup',
      pgReceivewal: 'pg_receivewal',
      pgWaldump: 'pg_waldump',
    });
  });
});
