import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Clock } from '../src/core/clock/clock';
import type { BackupStatus } from '../src/generated/prisma/client';
import { RetentionRepository } from '../src/retention/retention.repository';
import { OrphanArchivesRepository } from '../src/storage/orphan-archives.repository';
import { RetentionService } from '../src/retention/retention.service';
import { STORAGE_DRIVER, StorageDriver } from '../src/storage/storage-driver';
import { databaseUrl } from './support/databases';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { startTestWorker, waitForBackup } from './support/test-worker';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface Case {
  name: string;
  config: { retention_time: number; min_backup_count: number };
  /** oldest first: status and age in ms at NOW */
  backups: Array<[BackupStatus, number]>;
  deregisteredAgo?: number;
  /** numbers (1-based, oldest first) that must end `deleted` */
  pruned: number[];
}

const CASES: Case[] = [
  {
    name: 'all younger than retention_time',
    config: { retention_time: 5, min_backup_count: 2 },
    backups: [
      ['done', 4 * DAY],
      ['done', 3 * DAY],
      ['done', 2 * DAY],
      ['done', DAY],
    ],
    pruned: [],
  },
  {
    name: 'all older, more than min_backup_count',
    config: { retention_time: 5, min_backup_count: 2 },
    backups: [
      ['done', 14 * DAY],
      ['done', 13 * DAY],
      ['done', 12 * DAY],
      ['done', 11 * DAY],
      ['done', 10 * DAY],
    ],
    pruned: [1, 2, 3],
  },
  {
    name: 'min_backup_count 0 still keeps the newest done backup',
    config: { retention_time: 5, min_backup_count: 0 },
    backups: [
      ['done', 12 * DAY],
      ['done', 11 * DAY],
      ['done', 10 * DAY],
    ],
    pruned: [1, 2],
  },
  {
    name: 'retention_time 0',
    config: { retention_time: 0, min_backup_count: 2 },
    backups: [
      ['done', 4 * HOUR],
      ['done', 3 * HOUR],
      ['done', 2 * HOUR],
      ['done', HOUR],
    ],
    pruned: [1, 2],
  },
  {
    name: 'a run of failed backups after the last good one',
    config: { retention_time: 1, min_backup_count: 0 },
    backups: [
      ['done', 20 * DAY],
      ['done', 10 * DAY],
      ['failed', 9 * DAY],
      ['failed', 8 * DAY],
      ['failed', 7 * DAY],
      ['failed', HOUR],
    ],
    pruned: [1, 3, 4, 5],
  },
  {
    name: 'queued and running backups are untouched',
    config: { retention_time: 0, min_backup_count: 0 },
    backups: [
      ['done', 10 * DAY],
      ['failed', 9 * DAY],
      ['running', 8 * DAY],
    ],
    pruned: [2],
  },
  {
    name: 'deregistered instance past its grace period loses everything',
    config: { retention_time: 5, min_backup_count: 5 },
    backups: [
      ['done', 40 * DAY],
      ['failed', 35 * DAY],
      ['done', 32 * DAY],
    ],
    deregisteredAgo: 31 * DAY,
    pruned: [1, 2, 3],
  },
  {
    name: 'deregistered instance within its grace period keeps what the rules keep',
    config: { retention_time: 5, min_backup_count: 1 },
    backups: [
      ['done', 2 * DAY],
      ['done', DAY],
    ],
    deregisteredAgo: 10 * DAY,
    pruned: [],
  },
];

describe('retention', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let storage: StorageDriver;
  const clock: Clock = { now: () => NOW };

  beforeAll(async () => {
    t = await startTestApp();
    worker = (await startTestWorker(t)).worker;
    storage = worker.get(STORAGE_DRIVER);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const service = () =>
    new RetentionService(
      worker.get(RetentionRepository),
      worker.get(OrphanArchivesRepository),
      t.config,
      clock,
      storage,
    );

  /** Creates the case's instance and backups directly in the database, with real archive files. */
  async function seed(c: Case): Promise<{ id: string; files: string[] }> {
    const inst = await registerInstance(t);
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set('Authorization', `Bearer ${inst.token}`)
      .send(c.config)
      .expect(200);
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

  it('applies every rule in one pass over all instances', async () => {
    const seeded = [];
    for (const c of CASES) seeded.push(await seed(c));
    await service().prune();

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

  it('end to end: retention_time 0 and min_backup_count 1, three backups → only the newest stays', async () => {
    const inst = await registerInstance(t, {
      type: 'postgresql',
      connection_url: databaseUrl('postgres'),
    });
    const auth = { Authorization: `Bearer ${inst.token}` };
    await t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth)
      .send({ retention_time: 0, min_backup_count: 1 })
      .expect(200);
    for (let n = 1; n <= 3; n++) {
      await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
      await waitForBackup(t, inst.id, inst.token, n);
    }
    // retention runs right after each backup finishes
    const list = await t.http.get(`/v1/instances/${inst.id}/backups`).set(auth).expect(200);
    expect(
      list.body.map((b: { id: number; status: string; downloadable: boolean }) => [
        b.id,
        b.status,
        b.downloadable,
      ]),
    ).toEqual([
      [3, 'done', false],
      [2, 'deleted', false],
      [1, 'deleted', false],
    ]);
    const rows = await t.prisma.backup.findMany({
      where: { instanceId: inst.id },
      orderBy: { number: 'asc' },
    });
    expect(rows.map((r) => existsSync(join(t.config.storagePath, r.storageKey!)))).toEqual([
      false,
      false,
      true,
    ]);
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
});
