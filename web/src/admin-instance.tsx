import { useEffect } from 'preact/hooks';
import { Instance, Progress } from './api';
import { age } from './age';
import { RecentBackupsChart } from './chart';
import { StatusCell, backupBar } from './progress-bar';
import { size } from './size';
import { OnUnauthorized, useLoad } from './use-load';
import { PageHeading } from './page-heading';

/** A backup as the admin API lists it. */
interface AdminBackup {
  instance_id: string;
  id: number;
  status: string;
  trigger: string;
  size: number;
  triggered_at: string;
  started_at: string | null;
  finished_at: string | null;
  failure_reason: string | null;
}

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
  const key = encodeURIComponent(id);
  const instance = useLoad<Instance>(`/admin/v1/instances/${key}`, onUnauthorized);
  const { data, error } = useLoad<AdminBackup[]>(
    `/admin/v1/backups?instance_id=${key}&limit=50`,
    onUnauthorized,
    (b) => (busy(b) ? 1500 : null),
  );
  const progress = useLoad<Progress>(`/admin/v1/instances/${key}/progress`, onUnauthorized, (p) =>
    p.backups.length + p.restores.length > 0 ? 1000 : null,
  );
  const working = busy(data ?? []);
  useEffect(() => {
    if (working) progress.reload();
  }, [working]);

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
        <a href="#/">← Fleet</a>
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
