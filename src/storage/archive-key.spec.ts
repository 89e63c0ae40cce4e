import { archiveKey, backupIdOfArchiveKey } from './archive-key';

describe('archive keys', () => {
  it('round-trips a backup to its key and back', () => {
    const key = archiveKey({ instanceId: 'pg-1', backupId: 'pg-1-1700000000000' });
    expect(key).toBe('pg-1/pg-1-1700000000000.tgz');
    expect(backupIdOfArchiveKey(key)).toBe('pg-1-1700000000000');
  });

  it.each([
    'pg-1/other-1.tgz', // backup_id of another instance
    'pg-1/pg-1-1.tgz.part', // not an archive
    'pg-1/sub/pg-1-1.tgz', // deeper path
    'README.tgz',
    'pg-1/pg-1-1.tar',
  ])('does not claim %s', (key) => {
    expect(backupIdOfArchiveKey(key)).toBeNull();
  });
});
