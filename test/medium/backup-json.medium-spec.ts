import type { AccessedInstance } from '../../src/access/access.repository';
import { BACKUP_JSON_HEAD_COLUMNS, BACKUP_JSON_HEAD_SQL } from '../../src/backups/backup-json.sql';
import { BackupsDataModule } from '../../src/backups/backups-data.module';
import { BackupsJson } from '../../src/backups/backups-json.repository';
import { BACKUP_FIELDS, whyNotDownloadable } from '../../src/backups/dto/backup.response';
import type { BackupStatus } from '../../src/generated/prisma/client';
import { Medium, startMedium } from './support/medium';

/**
 * What the database renders as the public backup object is BACKUP_FIELDS: the stored head is
 * the one generated from the list (a changed field without its generated migration fails
 * here), and every object carries the listed fields in their order, with the record's values.
 */
describe('the public backup object, as the database renders it', () => {
  let m: Medium;
  let instance: AccessedInstance;
  beforeAll(async () => {
    m = await startMedium([BackupsDataModule]);
    instance = await m.newInstance();
  });
  afterAll(() => m?.close());

  it('is rendered by the function and trigger generated from BACKUP_FIELDS', async () => {
    const [fn] = await m.prisma.$queryRaw<Array<{ src: string }>>`
      SELECT prosrc AS src FROM pg_proc WHERE proname = 'backup_json_head'`;
    expect(fn.src.trim()).toBe(BACKUP_JSON_HEAD_SQL);
    const [trigger] = await m.prisma.$queryRaw<Array<{ def: string }>>`
      SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'backups_json_head'`;
    expect(trigger.def).toContain(
      `UPDATE OF ${[...BACKUP_JSON_HEAD_COLUMNS, 'json_head'].join(', ')}`,
    );
  });

  it('holds the listed fields in their order, with the values of the record', async () => {
    const config = await m.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: instance.id },
    });
    const userKey = await m.prisma.encryptionKey.create({
      data: { instanceId: instance.id, origin: 'user', sealed: Buffer.from('x') },
    });
    const statuses: BackupStatus[] = ['done', 'failed', 'deleted', 'done', 'queued'];
    for (const [i, status] of statuses.entries()) {
      await m.prisma.backupRow.create({
        data: {
          instanceId: instance.id,
          number: i + 1,
          backupId: `${instance.id}-${1_700_000_000_000 + i}`,
          status,
          size: BigInt(1000 * i),
          encryptionKeyId: i === 3 ? config.activeKeyId : userKey.id,
          failureReason:
            status === 'failed' ? 'pg_dump exited with code 1: "quoted" \\ text' : null,
          triggeredAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6 + i)),
          startedAt: status === 'queued' ? null : new Date(Date.UTC(2026, 0, 2, 3, 4, 6, 7)),
          finishedAt: ['done', 'failed', 'deleted'].includes(status)
            ? new Date(Date.UTC(2026, 0, 2, 3, 5, 0, 999))
            : null,
        },
      });
    }
    // a later update re-renders the stored head
    await m.prisma.backupRow.update({
      where: { instanceId_number: { instanceId: instance.id, number: 2 } },
      data: { size: 42n },
    });

    const records = await m.prisma.backup.findMany({
      where: { instanceId: instance.id },
      include: { encryptionKey: true },
      orderBy: { number: 'desc' },
    });
    for (const downloadsEnabled of [true, false]) {
      const listed = JSON.parse(
        (await m.get(BackupsJson).list(instance.id, downloadsEnabled)).json,
      ) as Array<Record<string, unknown>>;
      expect(listed).toHaveLength(records.length);
      for (const [i, b] of records.entries()) {
        const expected: Record<string, unknown> = {
          id: b.number,
          backup_id: b.backupId,
          size: Number(b.size),
          status: b.status,
          triggered_at: b.triggeredAt.toISOString(),
          started_at: b.startedAt?.toISOString() ?? null,
          finished_at: b.finishedAt?.toISOString() ?? null,
          downloadable: whyNotDownloadable(b, downloadsEnabled) === null,
          ...(b.status === 'failed' ? { failure_reason: b.failureReason } : {}),
        };
        const names = BACKUP_FIELDS.map((f) => f.name).filter((n) => n in expected);
        expect(Object.keys(listed[i])).toEqual(names);
        expect(listed[i]).toEqual(expected);
        const one = await m.get(BackupsJson).one(instance.id, downloadsEnabled, b.number);
        expect(JSON.parse(one!)).toEqual(expected);
      }
    }
  });

  it('shows what the row holds whoever wrote it, and a heartbeat changes nothing shown', async () => {
    // the objects are kept rendered in the rows by the database: a write in plain SQL (as the
    // retention pass makes) shows at once, and a write of the rendering itself is undone
    const b = await m.newBackup(instance, { backupId: `${instance.id}-1700000000999` });
    const one = async () =>
      JSON.parse((await m.get(BackupsJson).one(instance.id, true, b.number))!) as Record<
        string,
        unknown
      >;
    const before = await one();
    await m.prisma.$executeRaw`UPDATE backup_rows SET heartbeat_at = now() WHERE pk = ${b.pk}`;
    expect(await one()).toStrictEqual(before);
    await m.prisma.$executeRaw`
      UPDATE backup_rows SET size = 123, finished_at = '2021-04-21T02:00:00.5Z', json_head = 'junk'
      WHERE pk = ${b.pk}`;
    expect(await one()).toStrictEqual({
      ...before,
      size: 123,
      finished_at: '2021-04-21T02:00:00.500Z',
    });
  });

  it('shows a pruned backup as deleted, finished when it was pruned, its row untouched', async () => {
    const b = await m.newBackup(instance, { backupId: `${instance.id}-1700000000777` });
    const live = JSON.parse((await m.get(BackupsJson).one(instance.id, false, b.number))!) as {
      status: string;
    };
    expect(live.status).toBe('done');
    const prunedAt = new Date('2026-12-07T21:00:00.123Z');
    await m.prisma.$executeRaw`
      INSERT INTO backup_prunings (backup_pk, pruned_at) VALUES (${b.pk}, ${prunedAt})`;
    const shown = JSON.parse((await m.get(BackupsJson).one(instance.id, false, b.number))!);
    expect(shown).toStrictEqual({
      ...live,
      status: 'deleted',
      finished_at: '2026-12-07T21:00:00.123Z',
    });
    const listed = JSON.parse((await m.get(BackupsJson).list(instance.id, false)).json) as Array<{
      id: number;
    }>;
    expect(listed.find((x) => x.id === b.number)).toStrictEqual(shown);
    // the row itself still says what happened to the backup up to its end
    const row = await m.prisma.backupRow.findUniqueOrThrow({ where: { pk: b.pk } });
    expect(row.status).toBe('done');
  });
});
