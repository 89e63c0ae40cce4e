import { nextPassInMs, restartDelayMs } from './receiver-passes';

describe('WalReceiver timing', () => {
  it('waits twice as long after each failed start, from 5 s up to 5 min', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('starts the next pass early by twice the last one’s time, never sooner than 250 ms', () => {
    // a 1 s interval: a quick pass waits 0.9 s, a 200 ms pass 0.5 s
    expect(nextPassInMs(0, 1000)).toBe(900);
    expect(nextPassInMs(200, 1000)).toBe(500);
    // a pass as long as the interval: the next one follows after the shortest pause
    expect(nextPassInMs(1000, 1000)).toBe(250);
  });
});
