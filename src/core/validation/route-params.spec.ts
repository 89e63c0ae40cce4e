import { NotFoundError } from '../errors/domain-errors';
import { parseRouteNumber } from './route-number';
import { UuidPipe } from './uuid';

describe('route params', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', 2147483647],
  ])('reads backup number %s', (raw, n) => expect(parseRouteNumber(raw)).toBe(n));

  it.each(['0', '01', '-1', '+1', '1.0', '1e3', ' 1', '2147483648', '99999999999', 'abc', ''])(
    'refuses %j, which names no backup',
    (raw) => expect(parseRouteNumber(raw)).toBeNull(),
  );

  it('passes a UUID and answers anything else with the not-found error it was given', () => {
    const pipe = new UuidPipe((id) => new NotFoundError(`No access token with id "${id}" exists.`));
    const id = '3f2a1c4e-9b7d-4e2f-8a6b-1c2d3e4f5a6b';
    expect(pipe.transform(id)).toBe(id);
    expect(() => pipe.transform('not-a-uuid')).toThrow('No access token with id "not-a-uuid"');
  });
});
