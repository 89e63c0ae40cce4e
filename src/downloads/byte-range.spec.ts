import { parseRange } from './byte-range';

describe('parseRange', () => {
  it.each([
    [undefined, 100, 'full'],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=10-', 100, { start: 10, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-1000', 100, { start: 0, end: 99 }],
    ['bytes=90-1000', 100, { start: 90, end: 99 }],
    ['BYTES=1-1', 100, { start: 1, end: 1 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=500-600', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=5-2', 100, 'full'],
    ['bytes=0-1,5-6', 100, 'full'],
    ['items=0-1', 100, 'full'],
    ['bytes=-', 100, 'full'],
    ['garbage', 100, 'full'],
  ])('%s of %i bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
