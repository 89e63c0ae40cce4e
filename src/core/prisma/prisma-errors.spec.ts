import { Prisma } from '../../generated/prisma/client';
import { isDatabaseUnavailable, isUniqueViolation } from './prisma-errors';

const known = (code: string, cause?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError('failed', {
    code,
    clientVersion: 'test',
    meta: cause ? { driverAdapterError: { name: 'DriverAdapterError', cause } } : undefined,
  });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['the server cannot be reached', known('P1001')],
    ['a transaction could not start in time', known('P2028')],
    ['the adapter lost its connection', known('P2010', { kind: 'ConnectionClosed' })],
    ['the server is shutting down', known('P2010', { kind: 'postgres', originalCode: '57P01' })],
    ['a connection exception', known('P2010', { kind: 'postgres', originalCode: '08006' })],
    ['the pool had no connection in time', new Error('timeout exceeded when trying to connect')],
    ['the connection ended mid-query', new Error('Connection terminated unexpectedly')],
  ])('is true when %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', known('P2002')],
    ['a raw unique violation', known('P2010', { kind: 'UniqueConstraintViolation' })],
    ['a syntax error', known('P2010', { kind: 'postgres', originalCode: '42601' })],
    ['storage refusing connections', new Error('connect ECONNREFUSED 127.0.0.1:9000')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['something that is not an error', 'Connection terminated'],
  ])('is false for %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe('isUniqueViolation', () => {
  it('knows the violation from Prisma models and from raw statements, and nothing else', () => {
    expect(isUniqueViolation(known('P2002'))).toBe(true);
    expect(isUniqueViolation(known('P2010', { kind: 'UniqueConstraintViolation' }))).toBe(true);
    expect(isUniqueViolation(known('P2010', { kind: 'postgres', originalCode: '23503' }))).toBe(
      false,
    );
    expect(isUniqueViolation(new Error('duplicate key'))).toBe(false);
  });
});
