import { parseMoment, microsText, parseMomentMicros } from './moment';

describe('parseMoment', () => {
  it('reads the documented form, with a fraction and any offset', () => {
    expect(parseMoment('2026-12-07T13:43:20Z')?.toISOString()).toBe('2026-12-07T13:43:20.000Z');
    expect(parseMoment('2026-12-07T13:43:20.25Z')?.toISOString()).toBe('2026-12-07T13:43:20.250Z');
    expect(parseMoment('2026-12-07T14:43:20.123456+01:00')?.toISOString()).toBe(
      '2026-12-07T13:43:20.123Z',
    );
    expect(parseMoment('2026-12-07T08:13:20-05:30')?.toISOString()).toBe(
      '2026-12-07T13:43:20.000Z',
    );
  });

  it.each([
    '2026-W49-1T13:43:20Z',
    '2026-341T13:43:20Z',
    '20261207T134320Z',
    '2026-12-07T13Z',
    '2026-12-07T13:43Z',
    '2026-12-07T13:43:20,5Z',
    '2026-12-07T13:43:20+01',
    '2026-12-07T13:43:20',
    '2026-12-07 13:43:20Z',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-12-07T24:00:00Z',
    '2026-12-07T23:59:60Z',
    '2026-12-07T13:43:20+24:00',
    '2026-12-07',
    ' 2026-12-07T13:43:20Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseMoment(text)).toBeNull();
  });

  it('reads a date alone as its first moment in UTC only where that is asked for', () => {
    expect(parseMoment('2026-11-30', { dateAlone: true })?.toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    expect(parseMoment('2026-02-29', { dateAlone: true })).toBeNull();
    expect(parseMoment('2026-W49', { dateAlone: true })).toBeNull();
  });

  it('refuses what is not a string', () => {
    expect(parseMoment(1765115000000)).toBeNull();
    expect(parseMoment(null)).toBeNull();
  });
});

describe('parseMomentMicros', () => {
  it('keeps a fraction to the microsecond, in any offset, and cuts what is finer', () => {
    expect(parseMomentMicros('2026-12-07T14:18:54.123456Z')).toBe(1796653134123456n);
    expect(parseMomentMicros('2026-12-07T15:18:54.123456+01:00')).toBe(1796653134123456n);
    expect(parseMomentMicros('2026-12-07T14:18:54.1234567Z')).toBe(1796653134123456n);
    expect(parseMomentMicros('2026-12-07T14:18:54.5Z')).toBe(1796653134500000n);
    expect(parseMomentMicros('2026-12-07T14:18:54Z')).toBe(1796653134000000n);
    expect(parseMomentMicros('yesterday')).toBeNull();
  });

  it('writes microseconds back as PostgreSQL reads them', () => {
    expect(microsText(1796653134123456n)).toBe('2026-12-07T14:18:54.123456Z');
    expect(microsText(1796653134000007n)).toBe('2026-12-07T14:18:54.000007Z');
  });
});
