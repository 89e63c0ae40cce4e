import { TableBox } from './table-box';
import { Progress } from '../api';
import { age } from './age';
import { StatusCell, backupBar } from './progress-bar';
import { size } from './size';

/** What the table reads of a backup: the public object and the admin's both have it. */
export interface ListedBackup {
  id: number;
  status: string;
  size: number;
  triggered_at: string;
  finished_at: string | null;
  failure_reason?: string | null;
  downloadable?: boolean;
}

/** Why a backup cannot be downloaded, from what the list says of it (the API's 412 says the same). */
function whyNot(b: ListedBackup): string {
  if (b.status !== 'done') return `not ${b.status === 'deleted' ? 'kept' : 'done'}`;
  return 'made before an encryption key was set: only the platform can open it';
}

/**
 * An instance's backups, newest first, with the actions the page offers on each: downloads when
 * `onDownload` is given, and restore, fork and verify on done backups. `busy`: the instance has a
 * backup or restore under way, which a restore must wait for.
 */
export function BackupsTable<B extends ListedBackup>({
  backups,
  progress,
  busy,
  onDownload,
  onRestore,
  onFork,
  onVerify,
}: {
  backups: B[];
  progress: Progress | null;
  busy: boolean;
  onDownload?: (b: B) => void;
  onRestore: (b: B) => void;
  onFork: (b: B) => void;
  onVerify?: (b: B) => void;
}) {
  if (backups.length === 0) return <p>No backup yet.</p>;
  return (
    <TableBox label="Backups, newest first">
      <table class="backups">
        <caption class="visually-hidden">Backups, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Status</th>
            <th scope="col">Size</th>
            <th scope="col">Triggered</th>
            <th scope="col">Finished</th>
            {onDownload && <th scope="col">Download</th>}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {backups.map((b) => (
            <tr key={b.id}>
              <td>{b.id}</td>
              <StatusCell
                status={b.status}
                reason={b.failure_reason}
                bar={backupBar(progress, b.id)}
              />
              <td>{size(b.size)}</td>
              <td>{age(b.triggered_at)} ago</td>
              <td>{b.finished_at ? `${age(b.finished_at)} ago` : '—'}</td>
              {onDownload && (
                <td>
                  {b.downloadable ? (
                    <button
                      type="button"
                      aria-label={`Download backup ${b.id}`}
                      onClick={() => onDownload(b)}
                    >
                      Download
                    </button>
                  ) : (
                    <span class="reason">No: {whyNot(b)}</span>
                  )}
                </td>
              )}
              <td class="actions">
                {b.status === 'done' && (
                  <>
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Restore backup ${b.id}`}
                      onClick={() => onRestore(b)}
                      disabled={busy}
                    >
                      Restore
                    </button>
                    <button
                      type="button"
                      aria-label={`Fork backup ${b.id}`}
                      onClick={() => onFork(b)}
                    >
                      Fork
                    </button>
                    {onVerify && (
                      <button
                        type="button"
                        aria-label={`Verify backup ${b.id}`}
                        onClick={() => onVerify(b)}
                      >
                        Verify
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}
