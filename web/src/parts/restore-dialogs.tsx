import { age } from './age';
import { TypedConfirm } from './confirm';
import { ForkDialog } from './fork-dialog';

/** Whether any of these backups or restores is queued or running. */
export const busy = (jobs: Array<{ status: string }>) =>
  jobs.some((j) => j.status === 'queued' || j.status === 'running');

/** What a restore puts back: a backup, or the state of a moment; into a target for a fork. */
export type RestoreBody =
  | { backup_id: number }
  | { point_in_time: string }
  | { backup_id: number; target_instance_id: string };

/** A restore asked for and not yet confirmed: what it puts back, and the request. */
export type Asked =
  { kind: 'restore'; what: string; body: RestoreBody } | { kind: 'fork'; backupId: number };

/** Restoring a backup into its instance, asked from the backups table. */
export const askBackup = (b: { id: number; triggered_at: string }): Asked => ({
  kind: 'restore',
  what: `backup ${b.id} (taken ${age(b.triggered_at)} ago)`,
  body: { backup_id: b.id },
});

/** Restoring to a moment, asked from the restore window. */
export const askMoment = (moment: Date): Asked => ({
  kind: 'restore',
  what: `the state of ${moment.toLocaleString()} (${moment.toISOString()})`,
  body: { point_in_time: moment.toISOString() },
});

/**
 * The confirmation of what was asked: a restore goes ahead once the instance's name is typed, a
 * fork once a target is picked (among `candidates`) and its name is typed.
 */
export function RestoreDialogs({
  asked,
  id,
  name,
  candidates,
  onRestore,
  onCancel,
}: {
  asked: Asked | null;
  id: string;
  name: string;
  candidates: Array<{ id: string; name: string }> | null;
  onRestore: (body: RestoreBody) => void;
  onCancel: () => void;
}) {
  if (asked?.kind === 'fork') {
    return (
      <ForkDialog
        backupId={asked.backupId}
        source={name}
        candidates={candidates}
        onFork={(target) => onRestore({ backup_id: asked.backupId, target_instance_id: target.id })}
        onCancel={onCancel}
      />
    );
  }
  if (asked?.kind !== 'restore') return null;
  return (
    <TypedConfirm
      title={`Restore ${name}`}
      name={name}
      action={
        'backup_id' in asked.body
          ? `Restore backup ${asked.body.backup_id}`
          : 'Restore to this moment'
      }
      onConfirm={() => onRestore(asked.body)}
      onCancel={onCancel}
    >
      <p>
        Restore {asked.what} into <strong>{name}</strong> (<code>{id}</code>)? The instance's
        current data is replaced.
      </p>
    </TypedConfirm>
  );
}
