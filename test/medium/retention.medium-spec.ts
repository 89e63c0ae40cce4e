import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../../src/core/clock/clock';
import { CASES, DAY, NOW, RetentionCase as Case } from '../../src/retention/retention-rule.cases';
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
import { BackupsRepository } from '../../src/backups/backups.repository';
import { Client } from 'pg';
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
    const inst = await t.newInstance();
    await t.get(BackupsConfigService).update(inst, c.config);
    const files: string[] = [];
    for (const [i, [status, age]] of c.backups.entries()) {
      const triggeredAt = new Date(NOW.getTime() - age);
      const done = status === 'done';
      const backup = await t.newBackup(inst, {
        backupId: `${inst.id}-${triggeredAt.getTime()}`,
        status,
        triggeredAt,
        startedAt: status === 'queued' ? null : triggeredAt,
        finishedAt: done || status === 'failed' ? triggeredAt : null,
        storageKey: done ? `${inst.id}/b${i + 1}.tgz` : null,
        archive: done,
      });
      files.push(done ? backup.file : '');
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
      `INSERT INTO backup_rows (instance_id, number, backup_id, status, size, storage_key,
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
    const inst = await t.newInstance();
    const day = 86_400_000;
    const deletedAgo = (number: number, days: number) =>
      t.newBackup(inst, {
        number,
        status: 'deleted',
        triggeredAt: new Date(NOW.getTime() - (days + 10) * day),
        finishedAt: new Date(NOW.getTime() - days * day),
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
  /** Two done backups a day apart, ten and nine days old: retention_time 1 and min 1 prune the older. */
  const ONE_TO_PRUNE: Case = {
    name: 'one older than the newest',
    config: { retention_time: 1, min_backup_count: 1 },
    backups: [
      ['done', 10 * DAY],
      ['done', 9 * DAY],
    ],
    pruned: [1],
  };

  /** A connection of its own, in a transaction left open until the test ends it. */
  async function openTransaction(): Promise<Client> {
    const c = new Client({ connectionString: t.config.databaseUrl });
    await c.connect();
    await c.query('BEGIN');
    return c;
  }

  /** Waits (up to a minute) until `n` sessions of this database wait for another's lock. */
  async function untilWaiting(n: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [{ waiting }] = await t.prisma.$queryRaw<Array<{ waiting: number }>>`
        SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      if (waiting >= n) return;
      if (Date.now() > deadline) throw new Error(`${n} sessions never waited for a lock`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const restoreOf = (c: Client, instanceId: string, backupPk: bigint) =>
    c.query('INSERT INTO restores (instance_id, number, backup_pk) VALUES ($1, 1, $2)', [
      instanceId,
      backupPk,
    ]);

  const olderOf = async (instanceId: string) =>
    t.prisma.backup.findFirstOrThrow({ where: { instanceId }, orderBy: { number: 'asc' } });

  it.each([
    ['commits', 'holds both backups; the pass prunes neither and runs again', false],
    ['rolls back', 'prunes both; the restore that waited for the pass is refused', true],
  ])(
    'a restore accepted while a pass prunes: when the first restore %s, the pass %s',
    async (_, __, pruned) => {
      // two instances, each with one backup to prune: the pass inserts x's pruning, then y's
      const [a, b] = [await seed(ONE_TO_PRUNE), await seed(ONE_TO_PRUNE)];
      const [x, y] = [await olderOf(a.id), await olderOf(b.id)].sort((p, q) =>
        p.pk < q.pk ? -1 : 1,
      );
      const first = await openTransaction();
      const second = await openTransaction();
      try {
        // a restore of y accepted but not committed: its mark holds y's key
        await restoreOf(first, y.instanceId, y.pk);
        // the pass prunes x (uncommitted), then waits at y's key
        const pass = service().prune();
        await untilWaiting(1);
        // a restore of x waits at x's key, for the pass
        const restoringX = restoreOf(second, x.instanceId, x.pk).then(
          () => 'accepted',
          (err: Error) => err.message,
        );
        await untilWaiting(2);

        await first.query(pruned ? 'ROLLBACK' : 'COMMIT');
        expect(await restoringX).toBe(
          pruned ? `backup ${x.pk} is not done: it cannot be restored` : 'accepted',
        );
        await second.query('COMMIT');
        expect(await pass).toBe(pruned ? 2 : 0);
      } finally {
        await first.end();
        await second.end();
      }
      for (const backup of [x, y]) {
        const now = await t.prisma.backup.findUniqueOrThrow({ where: { pk: backup.pk } });
        expect({ number: now.number, status: now.status }).toEqual({
          number: backup.number,
          status: pruned ? 'deleted' : 'done',
        });
        expect(existsSync(join(t.config.storagePath, backup.storageKey!))).toBe(!pruned);
      }
      // a held backup is pruned by the first pass after its restore ended
      if (!pruned) {
        await t.prisma.restore.updateMany({
          where: { backupPk: { in: [x.pk, y.pk] } },
          data: { status: 'done' },
        });
        expect(await service().prune()).toBe(2);
        expect(
          await t.prisma.backup.count({ where: { pk: { in: [x.pk, y.pk] }, status: 'deleted' } }),
        ).toBe(2);
      }
    },
  );

  it('shows a pruned backup deleted, finished when it was pruned, alike in its JSON, and removes its record later', async () => {
    const { id } = await seed(ONE_TO_PRUNE);
    expect(await service().prune(id)).toBe(1);
    const pruned = await t.prisma.backup.findFirstOrThrow({ where: { instanceId: id, number: 1 } });
    expect({ status: pruned.status, finishedAt: pruned.finishedAt }).toEqual({
      status: 'deleted',
      finishedAt: NOW,
    });
    const shown = JSON.parse((await t.get(BackupsJson).one(id, true, 1))!) as {
      status: string;
      finished_at: string;
    };
    expect({ status: shown.status, finished_at: shown.finished_at }).toEqual({
      status: 'deleted',
      finished_at: NOW.toISOString(),
    });
    // a deletion on request of a pruned backup finds nothing left to delete
    expect(await t.get(BackupsRepository).markDeletedOnRequest(pruned.pk, new Date())).toBeNull();

    const later: Clock = { now: () => new Date(NOW.getTime() + 91 * DAY) };
    const forget = new RetentionService(
      t.get(RetentionRepository),
      t.get(OrphanArchivesRepository),
      t.config,
      later,
      storage,
      t.get(JobMetrics),
    );
    // (the other tests' pruned records, all pruned at NOW, go too)
    expect(await forget.forgetDeletedRecords()).toBeGreaterThan(0);
    const left = await t.prisma.backup.findMany({ where: { instanceId: id } });
    expect(left.map((b) => b.number)).toEqual([2]);
    const prunings = await t.prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM backup_prunings WHERE backup_pk = ${pruned.pk}`;
    expect(prunings[0].n).toBe(0);
  });
});
