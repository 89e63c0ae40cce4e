import type { PrismaClient } from '../../generated/prisma/client';

type Backups = PrismaClient['backup'];

/** The methods of the client's Backup that would write, if it had any. */
type Writes = Extract<
  keyof Backups,
  `create${string}` | `update${string}` | `delete${string}` | 'upsert'
>;

/**
 * `backups` is a view (`view Backup` in the Prisma schema): the generated client reads it and
 * has no write on it, so a write to it fails `npm run typecheck` rather than the database at run
 * time. The proof is the type checker's: the marked line below is an error it expects, and were
 * `prisma.backup.update` to compile again, the unused mark would be the error.
 */
export function writeTheView(prisma: PrismaClient): unknown {
  // @ts-expect-error the view backups has no writes: write BackupRow
  return prisma.backup.update({ where: { pk: 1n }, data: { size: 2n } });
}

describe('the client of the view backups', () => {
  it('reads and does not write', () => {
    const reads: Array<keyof Backups> = [
      'findMany',
      'findUnique',
      'findFirst',
      'count',
      'aggregate',
    ];
    // true only while Writes is empty: a write method would make this line fail the type check
    const noWrite: [Writes] extends [never] ? true : false = true;
    expect(noWrite).toBe(true);
    expect(reads).toHaveLength(5);
  });
});
