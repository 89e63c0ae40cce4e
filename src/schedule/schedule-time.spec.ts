import { jitterOffsetMs, periodStart } from './schedule-time';

describe('periodStart', () => {
  it('is the latest cron time at or before now (UTC)', () => {
    expect(periodStart('30 1 * * *', new Date('2026-06-15T12:00:00Z')).toISOString()).toBe(
      '2026-06-15T01:30:00.000Z',
    );
    expect(periodStart('30 1 * * *', new Date('2026-06-15T01:29:59Z')).toISOString()).toBe(
      '2026-06-14T01:30:00.000Z',
    );
    expect(periodStart('30 1 * * *', new Date('2026-06-15T01:30:00Z')).toISOString()).toBe(
      '2026-06-15T01:30:00.000Z',
    );
  });
});

describe('jitterOffsetMs', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `instance-${i}`);

  it('is the same for the same instance, and within the window', () => {
    for (const id of ids) {
      const offset = jitterOffsetMs(id, 30);
      expect(offset).toBe(jitterOffsetMs(id, 30));
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(30 * 60_000);
    }
  });

  it('spreads instances evenly over the window', () => {
    const buckets = new Array<number>(10).fill(0);
    for (const id of ids) buckets[Math.floor(jitterOffsetMs(id, 30) / (3 * 60_000))]++;
    // 200 per bucket expected; allow generous statistical slack
    for (const count of buckets) expect(count).toBeGreaterThan(140);
  });

  it('is 0 without a window', () => {
    expect(jitterOffsetMs('x', 0)).toBe(0);
  });
});
