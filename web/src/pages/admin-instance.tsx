import { useEffect } from 'preact/hooks';
import { AdminBackup, client, ok } from '../api';
import { age } from '../parts/age';
import { RecentBackupsChart } from '../parts/chart';
import { StatusCell, backupBar } from '../parts/progress-bar';
import { size } from '../parts/size';
import { OnUnauthorized, useLoad } from '../parts/use-load';
import { PageHeading } from '../parts/page-heading';

const busy = (backups: AdminBackup[]) =>
  backups.some((b) => b.status === 'queued' || b.status === 'running');

/**
 * One instance as the operator sees it from the fleet: its recent backups (with the failure
 * reasons and live progress) and their sizes and durations. Read only: the admin token does
 * not act on an instance's data; an access token for the instance does.
 */
export function AdminInstancePage({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: OnUnauthorized;
}) {
  const path = { params: { path: { id } } };
  const instance = useLoad(
    `instance ${id}`,
    (signal) => ok(client.GET('/admin/v1/instances/{id}', { ...path, signal })),
    onUnauthorized,
  );
  const { data, error } = useLoad(
    `backups ${id}`,
    (signal) =>
      ok(
        client.GET('/admin/v1/backups', {
          params: { query: { instance_id: id, limit: 50 } },
          signal,
        }),
      ),
    onUnauthorized,
    (b) => (busy(b) ? 1500 : null),
  );
  const progress = useLoad(
    `progress ${id}`,
    (signal) => ok(client.GET('/admin/v1/instances/{id}/progress', { ...path, signal })),
    onUnauthorized,
    (p) => (p.backups.length + p.restores.length > 0 ? 1000 : null),
  );
  const working = busy(data ?? []);
  const reloadProgress = progress.reload;
  useEffect(() => {
    if (working) reloadProgress();
  }, [working, reloadProgress]);

  const failed = error ?? instance.error;
  if (failed)
    return (
      <p class="error" role="alert">
        {failed}
      </p>
    );
  if (!data || !instance.data) return <p>Loading the instance…</p>;
  return (
    <section>
      <p>
        <a href="/ui/">← Fleet</a>
      </p>
      <PageHeading>
        {instance.data.name} <code>{id}</code>
      </PageHeading>
      <p>
        {instance.data.type}, {instance.data.backup_type.replace('_', ' ')} backups. Read only: to
        back up, restore or download, sign in with an access token for this instance (
        <code>POST /admin/v1/tokens</code>).
      </p>
      <h2>Recent backups</h2>
      <RecentBackupsChart backups={data} />
      <table class="backups">
        <caption class="visually-hidden">The newest 50 backups, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Size</th>
            <th scope="col">Triggered</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {data.map((b) => (
            <tr key={b.id}>
              <td>{b.id}</td>
              <StatusCell
                status={b.status}
                reason={b.failure_reason}
                bar={backupBar(progress.data, b.id)}
              />
              <td>{b.trigger}</td>
              <td>{size(b.size)}</td>
              <td>{age(b.triggered_at)} ago</td>
              <td>{b.finished_at ? `${age(b.finished_at)} ago` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
