import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BackupsRepository } from '../../src/backups/backups.repository';
import { TestApp } from './test-app';

/**
 * A done, downloadable backup whose "archive" is a sparse file of `bytes` bytes put straight into
 * storage, for tests that need a big download without taking a big backup.
 */
export async function seedDownloadableArchive(
  t: TestApp,
  inst: { id: string; token: string },
  bytes: number,
): Promise<{ number: number; path: string }> {
  await t.http
    .patch(`/v1/instances/${inst.id}/backups-config`)
    .set('Authorization', `Bearer ${inst.token}`)
    .send({ encryption_key: 'seeded-archive-key' })
    .expect(200);
  const repo = t.app.get(BackupsRepository);
  const backup = await repo.insertQueued(inst.id, 'manual', new Date());
  const key = `${inst.id}/${backup.backupId}.tgz`;
  const path = join(t.config.storagePath, key);
  mkdirSync(join(t.config.storagePath, inst.id), { recursive: true });
  execFileSync('truncate', ['-s', String(bytes), path]);
  await repo.markRunning(backup.pk);
  await repo.markDone(backup.pk, { storageKey: key, size: BigInt(bytes), sha256: 'f'.repeat(64) });
  return { number: backup.number, path };
}
