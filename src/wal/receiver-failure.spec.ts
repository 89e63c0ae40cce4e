import { receiverFailure } from './receiver-failure';

describe('receiverFailure', () => {
  it('says what to do about a role without REPLICATION', () => {
    const said = receiverFailure(
      'pg_receivewal exited with code 1: FATAL:  must be superuser or replication role to start walsender',
      'app',
    );
    expect(said).toMatch(/^role "app" may not stream .*ALTER ROLE "app" REPLICATION/);
    expect(said).toContain('must be superuser or replication role');
    expect(receiverFailure('permission denied to use replication slots', 'app')).toMatch(
      /REPLICATION attribute/,
    );
  });

  it('says what to do about a missing pg_hba.conf replication line', () => {
    expect(
      receiverFailure(
        'FATAL:  no pg_hba.conf entry for replication connection from host "10.0.0.5", user "app", no encryption',
        'app',
      ),
    ).toMatch(/^the instance's pg_hba.conf has no replication entry for role "app"/);
  });

  it('leaves any other failure as it came', () => {
    expect(receiverFailure('connection refused', 'app')).toBe('connection refused');
  });
});
