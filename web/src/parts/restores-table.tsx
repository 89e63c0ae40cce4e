import { TableBox } from './table-box';
import { Progress, Restore } from '../api';
import { age } from './age';
import { StatusCell, restoreBar } from './progress-bar';

/** Which way a restore went, from this instance's side: a fork reads differently on each side. */
function direction(r: Restore, nameOf: (id: string) => string): string {
  // in the target's list a fork names both ends: its source says which side this is
  if (r.source_instance_id) return `into this instance from ${nameOf(r.source_instance_id)}`;
  if (r.target_instance_id) return `from this instance into ${nameOf(r.target_instance_id)}`;
  return 'into this instance';
}

/** An instance's restores, newest first: into it, its forks into others, others' into it. */
export function RestoresTable({
  restores,
  progress,
  nameOf,
}: {
  restores: Restore[];
  progress: Progress | null;
  nameOf: (id: string) => string;
}) {
  if (restores.length === 0) return <p>No restore yet.</p>;
  return (
    <TableBox label="Restores, newest first">
      <table class="restores">
        <caption class="visually-hidden">Restores, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Direction</th>
            <th scope="col">Backup</th>
            <th scope="col">Status</th>
            <th scope="col">Triggered</th>
          </tr>
        </thead>
        <tbody>
          {restores.map((r) => (
            <tr key={`${r.source_instance_id ?? ''}/${r.id}`}>
              <td>{r.id}</td>
              <td>{direction(r, nameOf)}</td>
              <td>
                {r.backup_id}
                <div class="reason">
                  state of {new Date(r.metadata.restored_from).toLocaleString()}
                </div>
              </td>
              <StatusCell
                status={r.status}
                reason={r.failure_reason}
                bar={r.source_instance_id ? undefined : restoreBar(progress, r.id)}
              />
              <td>{age(r.triggered_at)} ago</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}
