import { AuditDataModule } from '../../src/audit/audit-data.module';
import { AuditRepository } from '../../src/audit/audit.repository';
import { Medium, startMedium } from './support/medium';

const DAY = 86_400_000;

/** The audit log keeps AUDIT_RETENTION_DAYS of records: the hourly pass removes older ones. */
describe('pruning the audit log', () => {
  let m: Medium;
  let audit: AuditRepository;
  beforeAll(async () => {
    m = await startMedium([AuditDataModule]);
    audit = m.get(AuditRepository);
  });
  afterAll(() => m?.close());

  const record = (daysAgo: number) =>
    m.prisma.auditRecord.create({
      data: {
        at: new Date(Date.now() - daysAgo * DAY),
        actor: 'admin',
        action: `POST /admin/v1/tokens (${daysAgo} days ago)`,
        requestId: `r-${daysAgo}`,
        clientAddress: '127.0.0.1',
        status: 201,
      },
    });

  it('removes the records older than the days it keeps, and none with 0', async () => {
    for (const days of [1, 399, 401, 800]) await record(days);
    expect(await audit.prune(0)).toBe(0);
    expect(await m.prisma.auditRecord.count()).toBe(4);
    expect(await audit.prune(400)).toBe(2);
    const kept = await m.prisma.auditRecord.findMany({ orderBy: { at: 'desc' } });
    expect(kept.map((r) => r.requestId)).toEqual(['r-1', 'r-399']);
  });
});
