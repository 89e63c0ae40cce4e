import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessedInstance } from '../../src/access/access.repository';
import { BackupLockedError } from '../../src/backup-manager/backup-manager.errors';
import { BackupManagerModule } from '../../src/backup-manager/backup-manager.module';
import { BackupManagerService } from '../../src/backup-manager/backup-manager.service';
import { BackupInProgressError, BackupNotFoundError } from '../../src/core/errors/domain-errors';
import type { BackupStatus } from '../../src/generated/prisma/client';
import { Medium, startMedium } from './support/medium';

/** The Backup Manager API's delete on request, branch by branch, on the real records and storage. */
describe('deleting a backup on request', () => {
  let m: Medium;
  let service: BackupManagerService;
  beforeAll(async () => {
    m = await startMedium([BackupManagerModule]);
    service = m.get(BackupManagerService);
  });
  afterAll(() => m?.close());

  /** A backup of `status` with a real archive file when done. */
  const backup = (instance: AccessedInstance, number: number, status: BackupStatus) =>
    m.newBackup(instance, { number, status, archive: status === 'done' });
  const statusOf = async (instance: AccessedInstance, number: number) =>
    (
      await m.prisma.backup.findUniqueOrThrow({
        where: { instanceId_number: { instanceId: instance.id, number } },
      })
    ).status;

  it('a done backup: the record stays as deleted and its archive goes', async () => {
    const instance = await m.newInstance();
    const { file } = await backup(instance, 1, 'done');
    await service.deleteBackup(instance, 1);
    expect(await statusOf(instance, 1)).toBe('deleted');
    expect(existsSync(file)).toBe(false);
    // again: a no-op
    await service.deleteBackup(instance, 1);
    expect(await statusOf(instance, 1)).toBe('deleted');
  });

  it('an unknown backup is a 404', async () => {
    const instance = await m.newInstance();
    await expect(service.deleteBackup(instance, 7)).rejects.toBeInstanceOf(BackupNotFoundError);
  });

  it('a backup that is running is a 409 and stays', async () => {
    const instance = await m.newInstance();
    await backup(instance, 1, 'running');
    await expect(service.deleteBackup(instance, 1)).rejects.toBeInstanceOf(BackupInProgressError);
    expect(await statusOf(instance, 1)).toBe('running');
  });

  it('a backup being restored is a 423 and keeps its archive', async () => {
    const instance = await m.newInstance();
    const { pk, file } = await backup(instance, 1, 'done');
    await m.prisma.restore.create({
      data: { instanceId: instance.id, number: 1, backupPk: pk, status: 'queued' },
    });
    await expect(service.deleteBackup(instance, 1)).rejects.toBeInstanceOf(BackupLockedError);
    expect(await statusOf(instance, 1)).toBe('done');
    expect(existsSync(file)).toBe(true);
  });

  it('an archive storage fails to remove is remembered for the hourly pass', async () => {
    const instance = await m.newInstance();
    const { storageKey, file } = await backup(instance, 1, 'done');
    // a non-empty directory where the archive is: removing it fails, as with storage that is down
    rmSync(file);
    mkdirSync(join(file, 'stuck'), { recursive: true });
    await service.deleteBackup(instance, 1);
    expect(await statusOf(instance, 1)).toBe('deleted');
    expect(await m.prisma.orphanArchive.count({ where: { storageKey: storageKey! } })).toBe(1);
  });
});
