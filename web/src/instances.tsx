import { useEffect, useState } from 'preact/hooks';
import { ApiError, Backup, Instance, api } from './api';
import { age } from './age';

type OnUnauthorized = (message: string) => void;

function useLoad<T>(path: string, onUnauthorized: OnUnauthorized, every?: (t: T) => number | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let timer: number | undefined;
    api<T>(path)
      .then((d) => {
        setData(d);
        const wait = every?.(d) ?? null;
        if (wait !== null) timer = window.setTimeout(() => setRound((r) => r + 1), wait);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) onUnauthorized(err.message);
        else setError(err instanceof Error ? err.message : String(err));
      });
    return () => window.clearTimeout(timer);
  }, [path, round]);
  return { data, error, reload: () => setRound((r) => r + 1) };
}

/** The instances an access token opens. */
export function MyInstancesPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const { data, error } = useLoad<Instance[]>('/v1/instances', onUnauthorized);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p>Loading your instances…</p>;
  return (
    <section>
      <h1>Your instances</h1>
      {data.length === 0 && <p>This token opens no registered instance.</p>}
      <ul class="instances">
        {data.map((i) => (
          <li key={i.id}>
            <a href={`#/instances/${encodeURIComponent(i.id)}`}>{i.name}</a> <code>{i.id}</code>{' '}
            {i.type}
          </li>
        ))}
      </ul>
    </section>
  );
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

const busy = (backups: Backup[]) =>
  backups.some((b) => b.status === 'queued' || b.status === 'running');

/** One instance's backups, for a token granted it: newest first, and a backup on request. */
export function InstancePage({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: OnUnauthorized;
}) {
  const path = `/v1/instances/${encodeURIComponent(id)}/backups`;
  // while a backup is queued or running the list is read again every 1.5 s
  const { data, error, reload } = useLoad<Backup[]>(path, onUnauthorized, (b) =>
    busy(b) ? 1500 : null,
  );
  const [actionError, setActionError] = useState<string | null>(null);

  async function backUpNow() {
    setActionError(null);
    try {
      await api(path, { method: 'POST' });
      reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized(err.message);
      else setActionError(err instanceof Error ? err.message : String(err));
    }
  }

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
        <a href="#/">← Your instances</a>
      </p>
      <h1>
        Backups of <code>{id}</code>
      </h1>
      <p>
        <button type="button" onClick={() => void backUpNow()} disabled={busy(data)}>
          Back up now
        </button>
      </p>
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      <table>
        <caption class="visually-hidden">Backups, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Status</th>
            <th scope="col">Size</th>
            <th scope="col">Triggered</th>
            <th scope="col">Finished</th>
            <th scope="col">Download</th>
          </tr>
        </thead>
        <tbody>
          {data.map((b) => (
            <tr key={b.id}>
              <td>{b.id}</td>
              <td class={b.status === 'failed' ? 'late' : undefined}>
                {b.status}
                {b.failure_reason && <div class="reason">{b.failure_reason}</div>}
              </td>
              <td>{size(b.size)}</td>
              <td>{age(b.triggered_at)} ago</td>
              <td>{b.finished_at ? `${age(b.finished_at)} ago` : '—'}</td>
              <td>{b.downloadable ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
