import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../../src/core/clock/clock';
import { CASES, NOW, RetentionCase as Case } from '../../src/retention/retention-rule.cases';
import { RetentionRepository } from '../../src/retention/retention.repository';
import { OrphanArchivesRepository } from '../../src/storage/orphan-archives.repository';
import { JobMetrics } from '../../src/metrics/job-metrics';
import { RetentionService } from '../../src/retention/retention.service';
import { STORAGE_DRIVER, StorageDriver } from '../../src/storage/storage-driver';
import { RetentionModule } from '../../src/retention/retention.module';
import { BackupsConfigService } from '../../src/backups-config/backups-config.service';
import { BackupsConfigModule } from '../../src/backups-config/backups-config.module';
import { BackupsJson } from '../../src/backups/backups-json.repository';
import { BackupsDataModule } from '../../src/backups/backups-data.module';
import { Medium, startMedium } from './support/medium';

/** The retention pass with its real repository and the fs storage, on every rule case. */
describe('retention', () => {
  let t: Medium;
  let storage: StorageDriver;
  const clock: Clock = { now: () => NOW };

  beforeAll(async () => {
    t = await startMedium([RetentionModule, BackupsConfigModule, BackupsDataModule]);
    storage = t.get<StorageDriver>(STORAGE_DRIVER as never);
  });
  afterAll(() => t?.close());

  const service = () =>
    new RetentionService(
      t.get(RetentionRepository),
      t.get(OrphanArchivesRepository),
      t.config,
      clock,
      storage,
      t.get(JobMetrics),
    );

  /** Creates the case's instance and backups directly in the database, with real archive files. */
  async function seed(c: Case): Promise<{ id: string; files: string[] }> {
    const inst = await t.register();
    await t.get(BackupsConfigService).update(inst, c.config);
    const { activeKeyId } = await t.prisma.backupsConfig.findUniqueOrThrow({
      where: { instanceId: inst.id },
    });
    const files: string[] = [];
    mkdirSync(join(t.config.storagePath, inst.id), { recursive: true });
    for (const [i, [status, age]] of c.backups.entries()) {
      const triggeredAt = new Date(NOW.getTime() - age);
      const storageKey = status === 'done' ? `${inst.id}/b${i + 1}.tgz` : null;
      if (storageKey) writeFileSync(join(t.config.storagePath, storageKey), 'archive');
      files.push(storageKey ? join(t.config.storagePath, storageKey) : '');
      await t.prisma.backup.create({
        data: {
          instanceId: inst.id,
          number: i + 1,
          backupId: `${inst.id}-${triggeredAt.getTime()}`,
          status,
          triggeredAt,
          startedAt: status === 'queued' ? null : triggeredAt,
          finishedAt: status === 'done' || status === 'failed' ? triggeredAt : null,
          storageKey,
          size: 7n,
          encryptionKeyId: activeKeyId,
        },
      });
    }
    if (c.deregisteredAgo !== undefined) {
      await t.prisma.instance.update({
        where: { id: inst.id },
        data: { deletedAt: new Date(NOW.getTime() - c.deregisteredAgo) },
      });
    }
    return { id: inst.id, files };
  }

  it.each([
    ['in one statement', undefined],
    ['in statements of two instances each', 2],
  ])('applies every rule in one pass over all instances, %s', async (_, perStatement) => {
    const seeded = [];
    for (const c of CASES) seeded.push(await seed(c));
    const pass = service();
    if (perStatement) pass.instancesPerStatement = perStatement;
    const pruned = await pass.prune();
    expect(pruned).toBe(CASES.reduce((n, c) => n + c.pruned.length, 0));

    for (const [k, c] of CASES.entries()) {
      const rows = await t.prisma.backup.findMany({
        where: { instanceId: seeded[k].id },
        orderBy: { number: 'asc' },
      });
      const deleted = rows.filter((r) => r.status === 'deleted').map((r) => r.number);
      expect({ case: c.name, deleted }).toEqual({ case: c.name, deleted: c.pruned });
      for (const [i, [status]] of c.backups.entries()) {
        const row = rows[i];
        if (!c.pruned.includes(i + 1))
          expect({ case: c.name, number: i + 1, status: row.status }).toEqual({
            case: c.name,
            number: i + 1,
            status,
          });
        if (status === 'done') {
          expect({
            case: c.name,
            number: i + 1,
            fileExists: existsSync(seeded[k].files[i]),
          }).toEqual({
            case: c.name,
            number: i + 1,
            fileExists: !c.pruned.includes(i + 1),
          });
        }
      }
    }
  });

  it('is idempotent, and two passes at once prune each backup exactly once', async () => {
    const c = CASES[1];
    const a = await seed(c);
    const b = await seed(c);
    const counts = await Promise.all([service().prune(), service().prune(), service().prune(a.id)]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(2 * c.pruned.length);
    expect(await service().prune()).toBe(0);
    for (const id of [a.id, b.id]) {
      expect(await t.prisma.backup.count({ where: { instanceId: id, status: 'deleted' } })).toBe(
        c.pruned.length,
      );
    }
  });

  it('passes whose statements run side by side over overlapping runs never deadlock, and prune each backup once', async () => {
    // 300 instances of ten daily backups each (retention_time 5, min_backup_count 5: five go),
    // seeded in SQL, each done backup with its archive file
    const tag = `race-${Date.now()}`;
    await t.prisma.$executeRawUnsafe(
      `INSERT INTO instances (id, name, type, credentials)
       SELECT '${tag}-' || lpad(i::text, 3, '0'), 'race', 'postgresql', '\\x00'
       FROM generate_series(1, 300) i`,
    );
    await t.prisma.$executeRawUnsafe(
      `INSERT INTO encryption_keys (id, instance_id, origin, sealed)
       SELECT gen_random_uuid(), id, 'platform', '\\x00' FROM instances WHERE name = 'race'`,
    );
    await t.prisma.$executeRawUnsafe(
      `INSERT INTO backups_config (instance_id, min_backup_count, retention_time, active_key_id, updated_at)
       SELECT instance_id, 5, 5, id, now() FROM encryption_keys WHERE instance_id LIKE '${tag}-%'`,
    );
    const keys = await t.prisma.$queryRawUnsafe<Array<{ storage_key: string }>>(
      `INSERT INTO backups (instance_id, number, backup_id, status, size, storage_key,
                            encryption_key_id, triggered_at, started_at, finished_at)
       SELECT k.instance_id, n, k.instance_id || '-' || n, 'done', 7, k.instance_id || '/b' || n || '.tgz',
              k.id, $1::timestamptz - make_interval(days => 11 - n), $1::timestamptz, $1::timestamptz
       FROM encryption_keys k CROSS JOIN generate_series(1, 10) n
       WHERE k.instance_id LIKE '${tag}-%'
       RETURNING storage_key`,
      NOW,
    );
    for (const { storage_key } of keys) {
      mkdirSync(join(t.config.storagePath, storage_key, '..'), { recursive: true });
      writeFileSync(join(t.config.storagePath, storage_key), 'archive');
    }

    // five full passes cut the instances into runs of different sizes (so their statements
    // overlap), one to three statements at a time, beside passes of single instances
    const pass = (perStatement: number, atOnce: number) => {
      const p = service();
      p.instancesPerStatement = perStatement;
      p.statementsAtOnce = atOnce;
      return p.prune();
    };
    const counts = await Promise.all([
      ...[7, 17, 27, 37, 47].map((size, i) => pass(size, 1 + (i % 3))),
      ...[1, 50, 99, 150, 222, 300].map((i) =>
        service().prune(`${tag}-${String(i).padStart(3, '0')}`),
      ),
    ]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(300 * 5);
    const deleted = await t.prisma.backup.groupBy({
      by: ['number'],
      where: { instanceId: { startsWith: `${tag}-` }, status: 'deleted' },
      _count: true,
      orderBy: { number: 'asc' },
    });
    expect(deleted.map((d) => [d.number, d._count])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 300]));
    const present = keys.filter((k) => existsSync(join(t.config.storagePath, k.storage_key)));
    expect(present.length).toBe(300 * 5);
    expect(present.every((k) => /\/b(6|7|8|9|10)\.tgz$/.test(k.storage_key))).toBe(true);
  });

  it('an archive that storage failed to remove is removed by a later full pass', async () => {
    const c = CASES[1];
    const seeded = await seed(c);
    const victim = seeded.files[c.pruned[0] - 1];
    // a non-empty directory where the archive is: unlink fails, as with storage that is down
    rmSync(victim);
    mkdirSync(join(victim, 'stuck'), { recursive: true });
    await service().prune(seeded.id);
    const stuck = await t.prisma.backup.findFirstOrThrow({
      where: { instanceId: seeded.id, number: c.pruned[0] },
    });
    expect(stuck.status).toBe('deleted');
    const orphan = { storageKey: stuck.storageKey! };
    expect(await t.prisma.orphanArchive.count({ where: orphan })).toBe(1);
    expect(t.logs.filter((l) => l.includes('could not be removed from storage'))).toHaveLength(1);

    // storage is back; a pass for this instance only does not retry, the full one does
    rmSync(victim, { recursive: true });
    writeFileSync(victim, 'archive');
    await service().prune(seeded.id);
    expect(existsSync(victim)).toBe(true);
    await service().prune();
    expect(existsSync(victim)).toBe(false);
    expect(await t.prisma.orphanArchive.count({ where: orphan })).toBe(0);
  });

  it('removes records of backups pruned more than DELETED_RECORD_RETENTION_DAYS ago, but not one a restore refers to', async () => {
    const inst = await t.register();
    const key = await t.prisma.backupsConfig.findUniqueOrThrow({ where: { instanceId: inst.id } });
    const day = 86_400_000;
    const deletedAgo = async (number: number, days: number) =>
      t.prisma.backup.create({
        data: {
          instanceId: inst.id,
          number,
          backupId: `${inst.id}-${number}`,
          status: 'deleted',
          encryptionKeyId: key.activeKeyId,
          triggeredAt: new Date(NOW.getTime() - (days + 10) * day),
          finishedAt: new Date(NOW.getTime() - days * day),
        },
      });
    await deletedAgo(1, 200);
    const restored = await deletedAgo(2, 150);
    await deletedAgo(3, 91);
    await deletedAgo(4, 89);
    await t.prisma.restore.create({
      data: { instanceId: inst.id, number: 1, backupPk: restored.pk, status: 'done' },
    });
    const numbers = async () =>
      (
        await t.prisma.backup.findMany({
          where: { instanceId: inst.id },
          orderBy: { number: 'asc' },
        })
      ).map((b) => b.number);

    const keepForever = new RetentionService(
      t.get(RetentionRepository),
      t.get(OrphanArchivesRepository),
      { ...t.config, deletedRecordRetentionDays: 0 },
      clock,
      storage,
      t.get(JobMetrics),
    );
    expect(await keepForever.forgetDeletedRecords()).toBe(0);
    expect(await numbers()).toEqual([1, 2, 3, 4]);

    expect(t.config.deletedRecordRetentionDays).toBe(90);
    expect(await service().forgetDeletedRecords()).toBe(2);
    expect(await numbers()).toEqual([2, 4]);
    // the public list no longer shows them
    const list = JSON.parse((await t.get(BackupsJson).list(inst.id, true)).json) as Array<{
      id: number;
    }>;
    expect(list.map((b) => b.id)).toEqual([4, 2]);
  });
});
