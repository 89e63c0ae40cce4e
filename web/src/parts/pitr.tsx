import { useState } from 'preact/hooks';
import { Backup, client, ok } from '../api';
import { OnUnauthorized, useLoad } from './use-load';

/** A moment as `<input type="datetime-local" step="1">` holds it: the tab's local time, to the second. */
function local(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

const WIDTH = 600;

/**
 * A continuous-archiving instance's window as a timeline (the base backups marked on it) and a
 * moment picker that cannot leave it: whole seconds inside the window, in the tab's local time.
 */
export function PitrSection({
  id,
  backups,
  onUnauthorized,
  onRestore,
}: {
  id: string;
  backups: Backup[];
  onUnauthorized: OnUnauthorized;
  onRestore: (moment: Date) => void;
}) {
  const { data, error } = useLoad(
    `pitr ${id}`,
    (signal) =>
      ok(
        client.GET('/v1/instances/{instance_id}/pitr', {
          params: { path: { instance_id: id } },
          signal,
        }),
      ),
    onUnauthorized,
  );
  const [moment, setMoment] = useState('');
  if (error) {
    return (
      <section aria-labelledby="pitr-title">
        <h2 id="pitr-title">Restore to a moment</h2>
        <p>{error}</p>
      </section>
    );
  }
  if (!data) return null;
  const start = Date.parse(data.start_time);
  const end = Date.parse(data.end_time);
  // whole seconds that are inside the window
  const min = local(Math.ceil(start / 1000) * 1000);
  const max = local(Math.floor(end / 1000) * 1000);
  const span = Math.max(end - start, 1);
  const marks = backups.filter(
    (b) => b.status === 'done' && b.finished_at && Date.parse(b.finished_at) >= start,
  );
  const chosen = moment ? Date.parse(moment) : NaN;
  return (
    <section aria-labelledby="pitr-title">
      <h2 id="pitr-title">Restore to a moment</h2>
      <p>
        Restorable from <time dateTime={data.start_time}>{min.replace('T', ' ')}</time> to{' '}
        <time dateTime={data.end_time}>{max.replace('T', ' ')}</time> (your local time).
      </p>
      <svg
        class="timeline"
        role="img"
        aria-label={`The window, with ${marks.length} base backups in it`}
        viewBox={`0 0 ${WIDTH} 24`}
        width={WIDTH}
        height={24}
      >
        <rect class="window" x={0} y={8} width={WIDTH} height={8} />
        {marks.map((b) => (
          <rect
            key={b.id}
            class="base"
            x={((Date.parse(b.finished_at!) - start) / span) * (WIDTH - 3)}
            y={2}
            width={3}
            height={20}
          >
            <title>{`Base backup ${b.id}, ended ${local(Date.parse(b.finished_at!)).replace('T', ' ')}`}</title>
          </rect>
        ))}
        {!Number.isNaN(chosen) && chosen >= start && chosen <= end && (
          <rect
            class="chosen"
            x={((chosen - start) / span) * (WIDTH - 3)}
            y={0}
            width={3}
            height={24}
          />
        )}
      </svg>
      <form
        class="moment"
        onSubmit={(e) => {
          e.preventDefault();
          onRestore(new Date(moment));
        }}
      >
        <label>
          Moment{' '}
          <input
            type="datetime-local"
            step={1}
            min={min}
            max={max}
            required
            value={moment}
            onInput={(e) => setMoment(e.currentTarget.value)}
          />
        </label>{' '}
        <button type="submit">Restore to this moment</button>
      </form>
    </section>
  );
}
