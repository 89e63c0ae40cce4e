import type { AccessedInstance } from '../../src/access/access.repository';
import { PitrDataModule } from '../../src/pitr/pitr-data.module';
import { PitrService } from '../../src/pitr/pitr.service';
import { Medium, startMedium } from './support/medium';

const T0 = Date.parse('2026-12-07T14:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/**
 * The window of a continuous-archiving instance whose WAL archive has a gap, as the database
 * records it: two stretches of pieces, a base backup in each, the gap between. Moments before
 * the gap stay restorable; a moment in the gap is refused naming it; a moment whose WAL is stored
 * after the gap, but before that stretch's base backup, is refused saying so, not called a gap.
 */
describe('the point-in-time window as ranges', () => {
  let m: Medium;
  let instance: AccessedInstance;
  let pitr: PitrService;

  beforeAll(async () => {
    m = await startMedium([PitrDataModule], { providers: [PitrService] });
    pitr = m.get(PitrService);
    instance = await m.newInstance({ backupType: 'continuous_archiving' });
    const { activeKeyId } = await m.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: instance.id },
    });
    // stretch one: segment 1, newest commit at +20 s; stretch two: segment 5, after a gap
    const pieces: Array<[string, string, string, string]> = [
      ['000000010000000000000001', '0/1000000', '0/1800000', at(10).toISOString()],
      ['000000010000000000000001', '0/1800000', '0/2000000', at(20).toISOString()],
      ['000000010000000000000005', '0/5000000', '0/5400000', at(100).toISOString()],
      // a commit 400 µs after a millisecond: the range ends at the next millisecond
      ['000000010000000000000005', '0/5400000', '0/5800000', '2026-12-07T14:02:10.000400Z'],
    ];
    for (const [segment, start, end, newest] of pieces) {
      await m.prisma.$executeRaw`
        INSERT INTO wal_segments (instance_id, timeline, segment, start_lsn, end_lsn, storage_key,
          size, sha256, encryption_key_id, newest_commit_at)
        VALUES (${instance.id}, 1, ${segment}, ${start}, ${end}, ${`${instance.id}/wal/${start}`},
          1, 'x', ${activeKeyId}::uuid, ${newest}::timestamptz)`;
    }
    await m.prisma.walGap.create({
      data: {
        instanceId: instance.id,
        fromLsn: '0/2000000',
        toLsn: '0/5000000',
        reason: 'the slot was invalidated',
        lastGoodAt: at(25),
      },
    });
    for (const [number, finished, walStartLsn] of [
      [1, at(5), '0/1000028'],
      [2, at(120), '0/5400000'],
    ] as const) {
      await m.newBackup(instance, {
        number,
        finishedAt: finished,
        storageKey: `${instance.id}/${number}.tgz`,
        walStartLsn,
      });
    }
  });
  afterAll(() => m?.close());

  it('lists both sides of the gap, the newest as start_time and end_time', async () => {
    expect(await pitr.window(instance)).toEqual({
      start_time: at(120).toISOString(),
      end_time: '2026-12-07T14:02:10.001Z',
      ranges: [
        // the first stretch ends where the receiver had seen storage covered at the gap
        { start_time: at(5).toISOString(), end_time: at(25).toISOString() },
        { start_time: at(120).toISOString(), end_time: '2026-12-07T14:02:10.001Z' },
      ],
    });
  });

  it('restores a moment from the base backup of its own range', async () => {
    expect(await pitr.baseBackupFor(instance, at(15))).toMatchObject({ number: 1 });
    expect(await pitr.baseBackupFor(instance, at(25))).toMatchObject({ number: 1 });
    expect(await pitr.baseBackupFor(instance, at(125))).toMatchObject({ number: 2 });
  });

  it('refuses a moment in the gap naming it, and one after it without a base backup saying so', async () => {
    await expect(pitr.baseBackupFor(instance, at(50))).rejects.toThrow(
      /falls in a gap .*the slot was invalidated \(the WAL from 0\/2000000 to 0\/5000000 is missing.*up to 2026-12-07T14:00:25.000Z and from 2026-12-07T14:02:00.000Z/,
    );
    const stored = pitr.baseBackupFor(instance, at(110));
    await expect(stored).rejects.toThrow(/its write-ahead log is stored, but no base backup/);
    await expect(stored).rejects.not.toThrow(/gap/);
    await expect(pitr.baseBackupFor(instance, at(300))).rejects.toThrow(
      /outside the point-in-time window .*from 2026-12-07T14:00:05.000Z to 2026-12-07T14:00:25.000Z, or from 2026-12-07T14:02:00.000Z to 2026-12-07T14:02:10.001Z\./,
    );
  });
});
