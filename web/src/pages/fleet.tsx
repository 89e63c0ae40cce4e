import { useEffect, useMemo, useState } from 'preact/hooks';
import { client, ok } from '../api';
import { OnUnauthorized, useLoad } from '../parts/use-load';
import { FleetTable } from '../parts/fleet-table';
import { PageHeading } from '../parts/page-heading';
import { byUrgency, fleetCounts, needsAttention, urgencyOf } from '../parts/urgency';

const TYPES = ['postgresql', 'mariadb', 'redis'];
/**
 * Rows drawn at first, and added by `Show more`: a thousand rows take the browser longer to lay
 * out than everything else on the page; the filters and the search still cover every instance.
 */
const PAGE = 100;

function lagText(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** Every instance at a glance, most urgent first, for the operator. */
export function FleetPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const {
    data: fleet,
    error,
    at,
  } = useLoad(
    'fleet',
    (signal) => ok(client.GET('/admin/v1/fleet', { signal })),
    onUnauthorized,
    // while anything runs, its bar moves
    (f) => (f.instances.some((i) => i.running) ? 2000 : null),
  );
  const [type, setType] = useState('');
  const [onlyUrgent, setOnlyUrgent] = useState(false);
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(PAGE);

  const sorted = useMemo(() => byUrgency(fleet?.instances ?? [], at), [fleet, at]);
  const counts = useMemo(() => fleetCounts(fleet?.instances ?? [], at), [fleet, at]);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return sorted.filter(
      (i) =>
        (type === '' || i.type === type) &&
        (!onlyUrgent || needsAttention(urgencyOf(i, at))) &&
        (needle === '' ||
          i.name.toLowerCase().includes(needle) ||
          i.id.toLowerCase().includes(needle)),
    );
  }, [sorted, type, onlyUrgent, search, at]);
  // a new filter starts again from the first rows
  useEffect(() => setLimit(PAGE), [type, onlyUrgent, search]);

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
      <ul class="counts" aria-label="At a glance">
        <li class={counts.failing > 0 ? 'late' : undefined}>
          <strong>{counts.failing}</strong> failing
        </li>
        <li class={counts.overdue > 0 ? 'late' : undefined}>
          <strong>{counts.overdue}</strong> overdue
        </li>
        <li>
          <strong>{counts.verified}</strong> verified in the last day
        </li>
        <li>
          largest PITR lag:{' '}
          <strong>{counts.lag ? `${lagText(counts.lag.ms)} (${counts.lag.name})` : '—'}</strong>
        </li>
      </ul>
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
            checked={onlyUrgent}
            onChange={(e) => setOnlyUrgent(e.currentTarget.checked)}
          />{' '}
          Needs attention only
        </label>
        <label>
          Search{' '}
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
      </div>
      <FleetTable
        instances={shown.slice(0, limit)}
        caption="Registered instances, most urgent first"
        now={at}
      />
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
