import { TableBox } from '../parts/table-box';
import { useState } from 'preact/hooks';
import { AuditRecord, client, ok } from '../api';
import { PageHeading } from '../parts/page-heading';
import { OnUnauthorized, useLoad } from '../parts/use-load';

type Actor = AuditRecord['actor'];
const PAGE = 100;

interface Filters {
  instance_id: string;
  actor: '' | Actor;
  action: string;
  since: string;
  until: string;
}

const EMPTY: Filters = { instance_id: '', actor: '', action: '', since: '', until: '' };

function who(r: AuditRecord): string {
  if (r.actor === 'token') return `token ${r.token_name ?? ''} (${r.token_id ?? '?'})`;
  return r.actor;
}

/** Who did what: every state-changing request, newest first, filtered and paged. */
export function AuditPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  /** the `before` of each page shown so far: [] is the newest page */
  const [before, setBefore] = useState<string[]>([]);
  const cursor = before[before.length - 1];
  const query = {
    ...(filters.instance_id ? { instance_id: filters.instance_id } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.since ? { since: new Date(filters.since).toISOString() } : {}),
    ...(filters.until ? { until: new Date(filters.until).toISOString() } : {}),
    ...(cursor ? { before: cursor } : {}),
    limit: PAGE,
  };
  const { data, error } = useLoad(
    `audit ${JSON.stringify(query)}`,
    (signal) => ok(client.GET('/admin/v1/audit', { params: { query }, signal })),
    onUnauthorized,
  );
  const field = (name: keyof Filters) => ({
    value: draft[name],
    onInput: (e: Event) =>
      setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value }),
  });

  return (
    <section>
      <PageHeading>Audit log</PageHeading>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setBefore([]);
          setFilters(draft);
        }}
      >
        <label>
          Instance <input {...field('instance_id')} />
        </label>
        <label>
          Actor{' '}
          <select
            value={draft.actor}
            onChange={(e) =>
              setDraft({ ...draft, actor: e.currentTarget.value as Filters['actor'] })
            }
          >
            <option value="">anyone</option>
            <option value="admin">admin</option>
            <option value="token">an access token</option>
            <option value="backup-manager">backup-manager</option>
            <option value="anonymous">anonymous</option>
          </select>
        </label>
        <label>
          Action{' '}
          <input placeholder="POST /v1/instances/:instance_id/backups" {...field('action')} />
        </label>
        <label>
          Since <input type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until <input type="datetime-local" {...field('until')} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p>Loading the audit log…</p>}
      {data && data.length === 0 && <p>No request matches.</p>}
      {data && data.length > 0 && (
        <TableBox label="Requests, newest first">
          <table class="audit">
            <caption class="visually-hidden">Requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Instance</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <time dateTime={r.at}>{new Date(r.at).toLocaleString()}</time>
                  </td>
                  <td>{who(r)}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>{r.instance_id ? <code>{r.instance_id}</code> : '—'}</td>
                  <td>{r.target ?? '—'}</td>
                  <td class={r.status >= 400 ? 'late' : undefined}>{r.status}</td>
                  <td>
                    {r.client_address}
                    <div class="reason">request {r.request_id}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <p class="buttons">
        {before.length > 0 && (
          <button type="button" onClick={() => setBefore(before.slice(0, -1))}>
            Newer
          </button>
        )}
        {data && data.length === PAGE && (
          <button type="button" onClick={() => setBefore([...before, data[data.length - 1].id])}>
            Older
          </button>
        )}
      </p>
    </section>
  );
}
