import { isInstanceBusy } from '../core/prisma/prisma-errors';
import type { Backup, BackupTrigger } from '../generated/prisma/client';
import { BackupsRepository } from './backups.repository';

/**
 * Records a queued backup and hands it to the workers through `enqueue`, as one step: when the
 * queue does not take the job, the record is taken back and the error rethrown. Returns null
 * when a backup of the instance is already queued or running (the database decides, so
 * concurrent callers cannot both win). Used by manual (API) and scheduled (worker) triggers.
 */
export async function triggerBackup(
  backups: BackupsRepository,
  enqueue: (backup: Backup) => Promise<unknown>,
  instanceId: string,
  trigger: BackupTrigger,
  at: Date,
): Promise<Backup | null> {
  let backup: Backup;
  try {
    backup = await backups.insertQueued(instanceId, trigger, at);
  } catch (err) {
    if (isInstanceBusy(err)) return null;
    throw err;
  }
  try {
    await enqueue(backup);
  } catch (err) {
    await backups.deleteQueued(backup.pk);
    throw err;
  }
  return backup;
}
