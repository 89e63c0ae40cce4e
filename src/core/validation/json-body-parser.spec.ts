import { duplicateKey } from './json-body-parser';

describe('duplicateKey', () => {
  it.each([
    ['{"a":1,"b":2}', null],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1},"c":{"b":2}}', null],
    ['{"a":{"b":1,"b":2}}', 'b'],
    ['[{"a":1},{"a":1}]', null],
    ['{"a":["a","a"],"b":"a"}', null],
    ['{"k\\"ey":1, "k\\"ey" : 2}', 'k"ey'],
    ['{"\\u0061":1,"a":2}', 'a'],
    ['{"a":"{\\"a\\":1}","b":1}', null],
    ['"just a string"', null],
  ])('%s → %s', (text, key) => {
    expect(duplicateKey(text)).toBe(key);
  });
});
