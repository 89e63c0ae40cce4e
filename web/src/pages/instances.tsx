import { useEffect, useState } from 'preact/hooks';
import { ApiError, Backup, client, ok, saveDownload } from '../api';
import { OnUnauthorized, useLoad } from '../parts/use-load';
import { ConfigForm } from '../parts/config-form';
import { age } from '../parts/age';
import { RecentBackupsChart } from '../parts/chart';
import { PitrSection } from '../parts/pitr';
import { size } from '../parts/size';
import { StatusCell, backupBar, restoreBar } from '../parts/progress-bar';
import { PageHeading } from '../parts/page-heading';

/** The instances an access token opens. */
export function MyInstancesPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const { data, error } = useLoad(
    'instances',
    (signal) => ok(client.GET('/v1/instances', { signal })),
    onUnauthorized,
  );
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p>Loading your instances…</p>;
  return (
    <section>
      <PageHeading>Your instances</PageHeading>
      {data.length === 0 && <p>This token opens no registered instance.</p>}
      <ul class="instances">
        {data.map((i) => (
          <li key={i.id}>
            <a href={`/ui/instances/${encodeURIComponent(i.id)}`}>{i.name}</a> <code>{i.id}</code>{' '}
            {i.type}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Whether any of these backups or restores is queued or running. */
const busy = (jobs: Array<{ status: string }>) =>
  jobs.some((j) => j.status === 'queued' || j.status === 'running');

/** One instance's backups, for a token granted it: newest first, and a backup on request. */
export function InstancePage({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: OnUnauthorized;
}) {
  const path = { params: { path: { instance_id: id } } };
  // while a backup is queued or running the list is read again every 1.5 s
  const { data, error, reload } = useLoad(
    `backups ${id}`,
    (signal) => ok(client.GET('/v1/instances/{instance_id}/backups', { ...path, signal })),
    onUnauthorized,
    (b) => (busy(b) ? 1500 : null),
  );
  const restores = useLoad(
    `restores ${id}`,
    (signal) => ok(client.GET('/v1/instances/{instance_id}/restores', { ...path, signal })),
    onUnauthorized,
    (r) => (busy(r) ? 1500 : null),
  );
  const instances = useLoad(
    'instances',
    (signal) => ok(client.GET('/v1/instances', { signal })),
    onUnauthorized,
  );
  // how far the work under way has come: read every second while there is any
  const progress = useLoad(
    `progress ${id}`,
    (signal) => ok(client.GET('/v1/instances/{instance_id}/progress', { ...path, signal })),
    onUnauthorized,
    (p) => (p.backups.length + p.restores.length > 0 ? 1000 : null),
  );
  const working = busy(data ?? []) || busy(restores.data ?? []);
  const reloadProgress = progress.reload;
  useEffect(() => {
    if (working) reloadProgress();
  }, [working, reloadProgress]);
  const instance = instances.data?.find((i) => i.id === id);
  const name = instance?.name ?? id;
  const [actionError, setActionError] = useState<string | null>(null);
  /** a restore asked for and not yet confirmed: what it puts back, and the request */
  const [confirming, setConfirming] = useState<{
    what: string;
    button: string;
    body: { backup_id: number } | { point_in_time: string };
  } | null>(null);

  /** Runs one of the page's actions; a 401 signs out, any other refusal is shown. */
  async function act(action: () => Promise<void>) {
    setActionError(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized(err.message);
      else setActionError(err instanceof Error ? err.message : String(err));
    }
  }

  const restore = (body: { backup_id: number } | { point_in_time: string }) =>
    act(async () => {
      setConfirming(null);
      await ok(client.POST('/v1/instances/{instance_id}/restores', { ...path, body }));
      restores.reload();
    });
  const downloadBackup = (b: Backup) =>
    act(() =>
      saveDownload(
        client.GET('/v1/instances/{instance_id}/backups/{id}/download', {
          params: { path: { instance_id: id, id: b.id } },
          parseAs: 'blob',
        }),
        `${id}-backup-${b.id}.tgz.enc`,
      ),
    );
  const backUpNow = () =>
    act(async () => {
      await ok(client.POST('/v1/instances/{instance_id}/backups', path));
      reload();
    });

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p>Loading backups…</p>;
  return (
    <section>
      <p>
        <a href="/ui/">← Your instances</a>
      </p>
      <PageHeading>
        {name} <code>{id}</code>
      </PageHeading>
      <p>
        <button
          type="button"
          onClick={() => void backUpNow()}
          disabled={busy(data) || busy(restores.data ?? [])}
        >
          Back up now
        </button>
      </p>
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            Restore {confirming.what} into <strong>{name}</strong> (<code>{id}</code>)? The
            instance's current data is replaced.
          </p>
          <button type="button" onClick={() => void restore(confirming.body)}>
            {confirming.button}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      )}
      <h2>Backups</h2>
      <RecentBackupsChart backups={data} />
      <table class="backups">
        <caption class="visually-hidden">Backups, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Status</th>
            <th scope="col">Size</th>
            <th scope="col">Triggered</th>
            <th scope="col">Finished</th>
            <th scope="col">Download</th>
            <th scope="col">Restore</th>
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
              <td>{size(b.size)}</td>
              <td>{age(b.triggered_at)} ago</td>
              <td>{b.finished_at ? `${age(b.finished_at)} ago` : '—'}</td>
              <td>
                {b.downloadable ? (
                  <button
                    type="button"
                    aria-label={`Download backup ${b.id}`}
                    onClick={() => void downloadBackup(b)}
                  >
                    Download
                  </button>
                ) : (
                  'no'
                )}
              </td>
              <td>
                {b.status === 'done' && (
                  <button
                    type="button"
                    onClick={() =>
                      setConfirming({
                        what: `backup ${b.id} (taken ${age(b.triggered_at)} ago)`,
                        button: `Restore backup ${b.id}`,
                        body: { backup_id: b.id },
                      })
                    }
                    disabled={busy(data) || busy(restores.data ?? [])}
                  >
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {instance?.backup_type === 'continuous_archiving' && (
        <PitrSection
          id={id}
          backups={data}
          onUnauthorized={onUnauthorized}
          onRestore={(moment) =>
            setConfirming({
              what: `the state of ${moment.toLocaleString()} (${moment.toISOString()})`,
              button: 'Restore to this moment',
              body: { point_in_time: moment.toISOString() },
            })
          }
        />
      )}
      <h2>Restores</h2>
      <table class="restores">
        <caption class="visually-hidden">Restores, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Backup</th>
            <th scope="col">Status</th>
            <th scope="col">Triggered</th>
          </tr>
        </thead>
        <tbody>
          {(restores.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>{r.backup_id}</td>
              <StatusCell
                status={r.status}
                reason={r.failure_reason}
                bar={restoreBar(progress.data, r.id)}
              />
              <td>{age(r.triggered_at)} ago</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfigForm id={id} onUnauthorized={onUnauthorized} />
    </section>
  );
}
