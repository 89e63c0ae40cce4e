import { Prisma } from '../../generated/prisma/client';

/** True when a write failed on a unique constraint (Prisma P2002). */
export function isUniqueViolation(err: unknown): err is Prisma.PrismaClientKnownRequestError {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
