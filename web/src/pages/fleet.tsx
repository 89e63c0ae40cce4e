import { useEffect, useMemo, useState } from 'preact/hooks';
import { FleetInstance, client, ok } from '../api';
import { OnUnauthorized, useLoad } from '../parts/use-load';
import { age, overdue } from '../parts/age';
import { PageHeading } from '../parts/page-heading';

const TYPES = ['postgresql', 'mariadb', 'redis'];
/**
 * Rows drawn at first, and added by `Show more`: a thousand rows take the browser longer to lay
 * out than everything else on the page; the filters and the search still cover every instance.
 */
const PAGE = 100;

function failing(i: FleetInstance): boolean {
  return i.last_failure_at !== null || overdue(i.last_success_at);
}

function Row({ i }: { i: FleetInstance }) {
  const late = overdue(i.last_success_at);
  return (
    <tr>
      <td>
        <a href={`/ui/instances/${encodeURIComponent(i.id)}`}>{i.name}</a>
      </td>
      <td>
        <code>{i.id}</code>
      </td>
      <td>{i.type}</td>
      <td>{i.backup_type === 'continuous_archiving' ? 'continuous' : 'standard'}</td>
      <td class={late ? 'late' : undefined}>
        {i.last_success_at ? `${age(i.last_success_at)} ago` : 'never'}
        {late && <span class="visually-hidden"> (overdue)</span>}
      </td>
      <td>
        {i.last_failure_at ? (
          <>
            <span class="late">{age(i.last_failure_at)} ago</span>
            <div class="reason">{i.last_failure_reason}</div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>{i.verification_status ?? '—'}</td>
      <td>
        {i.pitr_start && i.pitr_end
          ? `${age(i.pitr_start)} ago – ${age(i.pitr_end)} ago`
          : i.backup_type === 'continuous_archiving'
            ? 'not open yet'
            : '—'}
      </td>
      <td>{i.running ? 'running' : ''}</td>
    </tr>
  );
}

/** Every instance at a glance, for the operator. */
export function FleetPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const { data: fleet, error } = useLoad(
    'fleet',
    (signal) => ok(client.GET('/admin/v1/fleet', { signal })),
    onUnauthorized,
  );
  const [type, setType] = useState('');
  const [onlyFailing, setOnlyFailing] = useState(false);
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(PAGE);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (fleet?.instances ?? []).filter(
      (i) =>
        (type === '' || i.type === type) &&
        (!onlyFailing || failing(i)) &&
        (needle === '' ||
          i.name.toLowerCase().includes(needle) ||
          i.id.toLowerCase().includes(needle)),
    );
  }, [fleet, type, onlyFailing, search]);
  // a new filter starts again from the first rows
  useEffect(() => setLimit(PAGE), [type, onlyFailing, search]);

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!fleet) return <p>Loading the fleet…</p>;
  return (
    <section>
      <PageHeading>Fleet</PageHeading>
      <p class="summary">
        <span>{fleet.workers_alive} workers alive</span>
        <span>
          {fleet.jobs_waiting === null ? 'queue: no answer' : `${fleet.jobs_waiting} jobs waiting`}
        </span>
        <span>{fleet.instances.length} instances</span>
      </p>
      <div class="filters">
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">all</option>
            {TYPES.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={onlyFailing}
            onChange={(e) => setOnlyFailing(e.currentTarget.checked)}
          />{' '}
          Failing only
        </label>
        <label>
          Search{' '}
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
      </div>
      <table>
        <caption class="visually-hidden">Registered instances</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Type</th>
            <th scope="col">Backups</th>
            <th scope="col">Last success</th>
            <th scope="col">Last failure</th>
            <th scope="col">Verification</th>
            <th scope="col">Restorable to</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          {shown.slice(0, limit).map((i) => (
            <Row key={i.id} i={i} />
          ))}
        </tbody>
      </table>
      {shown.length > limit && (
        <p class="more">
          Showing {limit} of {shown.length}.{' '}
          <button type="button" onClick={() => setLimit(limit + PAGE)}>
            Show {Math.min(PAGE, shown.length - limit)} more
          </button>{' '}
          <button type="button" onClick={() => setLimit(shown.length)}>
            Show all {shown.length}
          </button>
        </p>
      )}
    </section>
  );
}
