import { useState } from 'preact/hooks';
import { PitrWindow } from '../api';
import { OnUnauthorized, useLoad } from './use-load';

/** A moment as `<input type="datetime-local" step="1">` holds it: the tab's local time, to the second. */
function local(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

const WIDTH = 600;
const BAR_TOP = 8;
const BAR_HEIGHT = 12;
const HEIGHT = 44;

/** Up to five tick moments at round steps across [start, end]. */
function ticks(start: number, end: number): number[] {
  const steps = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];
  const step = steps.find((s) => (end - start) / s <= 5) ?? 30 * 86_400_000;
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

function tickLabel(ms: number, span: number): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return span > 86_400_000
    ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`
    : time;
}

/**
 * A continuous-archiving instance's window as a timeline — the restorable stretches, the gaps
 * between them, the base backups, a time axis; a click picks the moment — and a moment picker
 * that cannot leave it: whole seconds, in the tab's local time.
 */
export function PitrSection({
  id,
  load,
  baseBackups,
  onUnauthorized,
  onRestore,
}: {
  id: string;
  load: (signal: AbortSignal) => Promise<PitrWindow>;
  baseBackups: Array<{ id: number; status: string; finished_at: string | null }>;
  onUnauthorized: OnUnauthorized;
  onRestore: (moment: Date) => void;
}) {
  const { data, error } = useLoad(`pitr ${id}`, load, onUnauthorized);
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
  const ranges = data.ranges.map((r) => ({
    start: Date.parse(r.start_time),
    end: Date.parse(r.end_time),
  }));
  const start = ranges.length > 0 ? ranges[0].start : Date.parse(data.start_time);
  const end = Date.parse(data.end_time);
  // whole seconds that are inside the window
  const min = local(Math.ceil(start / 1000) * 1000);
  const max = local(Math.floor(end / 1000) * 1000);
  const span = Math.max(end - start, 1);
  const x = (ms: number) => ((ms - start) / span) * (WIDTH - 3);
  const marks = baseBackups.filter(
    (b) => b.status === 'done' && b.finished_at && Date.parse(b.finished_at) >= start,
  );
  const gaps = ranges.slice(1).map((r, n) => ({ from: ranges[n].end, to: r.start }));
  const chosen = moment ? Date.parse(moment) : NaN;

  /** A click on the timeline picks the moment under it, to the second, inside the window. */
  function pick(e: MouseEvent) {
    const box = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    const at = start + ((e.clientX - box.left) / box.width) * span;
    const second = Math.min(
      Math.max(Math.round(at / 1000) * 1000, Math.ceil(start / 1000) * 1000),
      Math.floor(end / 1000) * 1000,
    );
    setMoment(local(second));
  }

  return (
    <section aria-labelledby="pitr-title">
      <h2 id="pitr-title">Restore to a moment</h2>
      <p>
        Restorable from{' '}
        <time dateTime={new Date(start).toISOString()}>{min.replace('T', ' ')}</time> to{' '}
        <time dateTime={data.end_time}>{max.replace('T', ' ')}</time> (your local time)
        {gaps.length > 0 &&
          `, except ${gaps.length} gap${gaps.length > 1 ? 's' : ''} in the archive`}
        .
      </p>
      <svg
        class="timeline"
        role="img"
        aria-label={`The window, with ${marks.length} base backups and ${gaps.length} gaps in it`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        onClick={pick}
      >
        {ranges.map((r) => (
          <rect
            key={r.start}
            class="window"
            x={x(r.start)}
            y={BAR_TOP}
            width={Math.max(x(r.end) - x(r.start), 1)}
            height={BAR_HEIGHT}
          />
        ))}
        {gaps.map((g) => (
          <rect
            key={g.from}
            class="gap"
            x={x(g.from)}
            y={BAR_TOP}
            width={Math.max(x(g.to) - x(g.from), 2)}
            height={BAR_HEIGHT}
          >
            <title>{`Gap: nothing restorable from ${local(g.from).replace('T', ' ')} to ${local(g.to).replace('T', ' ')}`}</title>
          </rect>
        ))}
        {marks.map((b) => (
          <rect
            key={b.id}
            class="base"
            x={x(Date.parse(b.finished_at!))}
            y={2}
            width={3}
            height={24}
          >
            <title>{`Base backup ${b.id}, ended ${local(Date.parse(b.finished_at!)).replace('T', ' ')}`}</title>
          </rect>
        ))}
        {ticks(start, end).map((t) => (
          <g key={t} class="tick">
            <line x1={x(t)} x2={x(t)} y1={BAR_TOP + BAR_HEIGHT} y2={BAR_TOP + BAR_HEIGHT + 6} />
            <text x={Math.min(Math.max(x(t), 20), WIDTH - 20)} y={HEIGHT - 2} text-anchor="middle">
              {tickLabel(t, span)}
            </text>
          </g>
        ))}
        {!Number.isNaN(chosen) && chosen >= start && chosen <= end && (
          <rect class="chosen" x={x(chosen)} y={0} width={3} height={BAR_TOP + BAR_HEIGHT + 8} />
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
        <button type="submit" class="danger">
          Restore to this moment
        </button>
      </form>
    </section>
  );
}
