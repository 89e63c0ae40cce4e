import type { AccessedInstance } from '../../src/access/access.repository';
import { BackupsDataModule } from '../../src/backups/backups-data.module';
import { CryptoModule } from '../../src/crypto/crypto.module';
import { EnginesModule } from '../../src/engines/engines.module';
import type { BackupStatus, RestoreStatus } from '../../src/generated/prisma/client';
import { InstancesService } from '../../src/instances/instances.service';
import { WorkerMetricsModule } from '../../src/metrics/metrics.module';
import { PitrReplayModule } from '../../src/pitr/pitr-replay.module';
import { RestoreRunner } from '../../src/restores/restore-runner.service';
import { RestoresDataModule } from '../../src/restores/restores-data.module';
import { StorageModule } from '../../src/storage/storage.module';
import { Medium, startMedium } from './support/medium';

/**
 * The restore runner's decisions before any tool runs, on the real records: what it skips,
 * what it fails and with which reason. Restores that run are test/restores and its siblings.
 */
describe('the restore runner decides', () => {
  let m: Medium;
  let runner: RestoreRunner;
  beforeAll(async () => {
    m = await startMedium(
      [
        RestoresDataModule,
        BackupsDataModule,
        PitrReplayModule,
        CryptoModule,
        EnginesModule,
        StorageModule,
        WorkerMetricsModule,
      ],
      { providers: [RestoreRunner] },
    );
    runner = m.get(RestoreRunner);
  });
  afterAll(() => m?.close());

  /** A done backup with a restore of it in `status`. */
  async function restoreOf(instance: AccessedInstance, status: RestoreStatus = 'queued') {
    const backup = await m.newBackup(instance);
    const restore = await m.prisma.restore.create({
      data: { instanceId: instance.id, number: 1, backupPk: backup.pk, status },
    });
    return { backup, restore };
  }
  const restoreNow = (pk: bigint) => m.prisma.restore.findUniqueOrThrow({ where: { pk } });
  const setBackupStatus = (pk: bigint, status: BackupStatus) =>
    m.prisma.backupRow.update({ where: { pk }, data: { status } });

  it('skips a restore that is not queued: a worker died in it, and the sweep fails it', async () => {
    const instance = await m.newInstance();
    const { restore } = await restoreOf(instance, 'running');
    await runner.run(restore.pk);
    expect(await restoreNow(restore.pk)).toMatchObject({ status: 'running', failureReason: null });
    expect(m.logs.some((l) => l.includes('restore not queued, skipped'))).toBe(true);
  });

  it('fails a restore whose instance was deregistered before it ran', async () => {
    const instance = await m.newInstance();
    const { restore } = await restoreOf(instance);
    await m.get(InstancesService).deregister(instance.id);
    await runner.run(restore.pk);
    expect(await restoreNow(restore.pk)).toMatchObject({
      status: 'failed',
      failureReason: 'the instance was deregistered before the restore ran',
    });
  });

  it('fails a restore whose backup is no longer done', async () => {
    const instance = await m.newInstance();
    const { backup, restore } = await restoreOf(instance);
    await setBackupStatus(backup.pk, 'deleted');
    await runner.run(restore.pk);
    expect(await restoreNow(restore.pk)).toMatchObject({
      status: 'failed',
      failureReason: 'the backup was deleted before the restore ran',
    });
  });

  it('fails a restore whose archive storage cannot read, naming storage, and releases the backup', async () => {
    const instance = await m.newInstance();
    const { backup, restore } = await restoreOf(instance);
    await runner.run(restore.pk);
    const ended = await restoreNow(restore.pk);
    expect(ended.status).toBe('failed');
    expect(ended.startedAt).not.toBeNull();
    expect(ended.failureReason).toMatch(/ENOENT|not found|no such/i);
    const held = await m.prisma.backup.findUniqueOrThrow({ where: { pk: backup.pk } });
    expect(held.activeRestores).toBe(0);
  });
});
