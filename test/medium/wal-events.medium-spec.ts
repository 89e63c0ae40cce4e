import { randomUUID } from 'node:crypto';
import type { AccessedInstance } from '../../src/access/access.repository';
import { VerificationsRepository } from '../../src/verification/verifications.repository';
import { ReceiverLease, WalRepository } from '../../src/wal/wal.repository';
import { Medium, startMedium } from './support/medium';

/**
 * The events operators asked for besides backups and restores: a receiver's first failure of an
 * outage (`wal.receiver_failed`), a gap in the WAL archive (`wal.gap`) and a failed verification
 * (`verification.failed`) each queue one delivery per subscribed webhook, with the record's
 * values; a worker that lost the receiver's lease announces nothing.
 */
describe('webhook events of the WAL archive and of verifications', () => {
  let m: Medium;
  let wal: WalRepository;
  let instance: AccessedInstance;
  let lease: ReceiverLease;
  const deliveries = async (event: string) =>
    (await m.prisma.webhookDelivery.findMany({ where: { event }, orderBy: { createdAt: 'asc' } }))
      .map((d) => JSON.parse(d.payload) as { event: string; data: Record<string, unknown> })
      .filter((p) => p.data.instance_id === instance.id);

  beforeAll(async () => {
    m = await startMedium([], { providers: [WalRepository, VerificationsRepository] });
    wal = m.get(WalRepository);
    instance = await m.newInstance({ backupType: 'continuous_archiving' });
    await m.prisma.webhook.create({
      data: {
        url: 'https://receiver.example/hook',
        events: ['wal.receiver_failed', 'wal.gap', 'verification.failed'],
        secret: Buffer.from('sealed'),
      },
    });
    await wal.ensureReceivers();
    [lease] = await wal.claim(randomUUID(), 1, 30_000);
    expect(lease).toMatchObject({ instanceId: instance.id, generation: 1n });
  });
  afterAll(() => m?.close());

  it('announces the first failure of an outage, not each retry, and nothing from a fenced worker', async () => {
    await wal.failed(lease, 'pg_receivewal exited with code 1: connection refused', true);
    await wal.failed(lease, 'pg_receivewal exited with code 1: connection refused', false);
    // an older generation of the lease (a worker that stalled): neither recorded nor announced
    await wal.failed({ ...lease, generation: 0n }, 'stale worker', true);
    const sent = await deliveries('wal.receiver_failed');
    expect(sent).toEqual([
      {
        id: expect.any(String),
        event: 'wal.receiver_failed',
        created_at: expect.any(String),
        data: {
          instance_id: instance.id,
          reason: 'pg_receivewal exited with code 1: connection refused',
          failed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      },
    ]);
    const receiver = await m.prisma.walReceiver.findUniqueOrThrow({
      where: { instanceId: instance.id },
    });
    expect(receiver).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/code 1/) });
  });

  it('announces a gap once, with its LSNs and reason', async () => {
    expect(await wal.recordGap(lease, '0/3000000', '0/5000000', 'the slot was lost')).toBe(true);
    expect(await wal.recordGap(lease, '0/3000000', '0/5000000', 'the slot was lost')).toBe(false);
    expect(await wal.recordGap({ ...lease, generation: 0n }, '0/6000000', '0/7000000', 'x')).toBe(
      false,
    );
    const sent = await deliveries('wal.gap');
    expect(sent.map((d) => d.data)).toEqual([
      {
        instance_id: instance.id,
        from_lsn: '0/3000000',
        to_lsn: '0/5000000',
        reason: 'the slot was lost',
        last_good_at: null,
        detected_at: expect.any(String),
      },
    ]);
  });

  it('announces a failed verification, not a verified one', async () => {
    const verifications = m.get(VerificationsRepository);
    for (const [number, result] of [
      [1, { status: 'failed', reason: 'table public.orders: 3 rows restored, 5 in the dump' }],
      [2, { status: 'verified', tables: 1, rows: 5n }],
    ] as const) {
      const backup = await m.newBackup(instance, {
        number,
        backupId: `${instance.id}-${1_700_000_000_000 + number}`,
      });
      expect(await verifications.claim(backup.pk)).not.toBeNull();
      expect(await verifications.finish(backup.pk, result)).toBe(true);
    }
    const sent = await deliveries('verification.failed');
    expect(sent.map((d) => d.data)).toEqual([
      {
        instance_id: instance.id,
        id: 1,
        backup_id: `${instance.id}-1700000000001`,
        status: 'failed',
        failure_reason: 'table public.orders: 3 rows restored, 5 in the dump',
        started_at: expect.any(String),
        finished_at: expect.any(String),
      },
    ]);
  });
});
