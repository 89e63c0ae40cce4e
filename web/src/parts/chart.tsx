/** What the chart reads of a backup: the public object and the admin's both have it. */
interface Charted {
  id: number;
  status: string;
  size: number;
  started_at: string | null;
  finished_at: string | null;
}
import { size } from './size';

const WIDTH = 300;
const HEIGHT = 96;
/** room for the value axis's labels, left, and the time axis's, below */
const LEFT = 56;
const BOTTOM = 20;
const PLOT_W = WIDTH - LEFT - 4;
const PLOT_H = HEIGHT - BOTTOM - 6;

function seconds(b: Charted): number {
  return (new Date(b.finished_at!).getTime() - new Date(b.started_at!).getTime()) / 1000;
}

function duration(s: number): string {
  return s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

function day(iso: string): string {
  return new Date(iso).toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/**
 * One series as bars, oldest left, over a value axis (0 and the largest value) and a time axis
 * (the first and last backup's day); each bar says its figure when pointed at.
 */
function Bars({
  label,
  values,
  text,
}: {
  label: string;
  values: Array<{ id: number; value: number; at: string }>;
  text: (v: number) => string;
}) {
  const top = Math.max(...values.map((v) => v.value), 1);
  const step = PLOT_W / values.length;
  const newest = values[values.length - 1];
  const base = 6 + PLOT_H;
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-label={`${label} of the last ${values.length} backups; newest (${newest.id}): ${text(newest.value)}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
      >
        <g class="axis">
          <line x1={LEFT - 2} x2={LEFT - 2} y1={6} y2={base} />
          <line x1={LEFT - 2} x2={WIDTH - 4} y1={base} y2={base} />
          <text x={LEFT - 6} y={12} text-anchor="end">
            {text(top)}
          </text>
          <text x={LEFT - 6} y={base} text-anchor="end">
            0
          </text>
          <text x={LEFT} y={HEIGHT - 4}>
            {day(values[0].at)}
          </text>
          <text x={WIDTH - 4} y={HEIGHT - 4} text-anchor="end">
            {day(newest.at)}
          </text>
        </g>
        {values.map((v, n) => {
          const h = Math.max((v.value / top) * PLOT_H, 1);
          return (
            <rect
              key={v.id}
              x={LEFT + n * step + 1}
              y={base - h}
              width={Math.max(step - 2, 1)}
              height={h}
            >
              <title>{`Backup ${v.id} (${day(v.at)}): ${text(v.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        {label}: newest {text(newest.value)}, largest {text(top)}
      </figcaption>
    </figure>
  );
}

/** Sizes and durations of the instance's recent done backups, oldest left. */
export function RecentBackupsChart({ backups }: { backups: Charted[] }) {
  const done = backups
    .filter((b) => b.status === 'done' && b.started_at && b.finished_at)
    .slice(0, 30)
    .reverse();
  if (done.length < 2) return null;
  return (
    <div class="charts">
      <Bars
        label="Size"
        values={done.map((b) => ({ id: b.id, value: b.size, at: b.finished_at! }))}
        text={size}
      />
      <Bars
        label="Duration"
        values={done.map((b) => ({ id: b.id, value: seconds(b), at: b.finished_at! }))}
        text={duration}
      />
    </div>
  );
}
