/** What the chart reads of a backup: the public object and the admin's both have it. */
interface Charted {
  id: number;
  status: string;
  size: number;
  started_at: string | null;
  finished_at: string | null;
}
import { size } from './size';

const WIDTH = 240;
const HEIGHT = 60;

function seconds(b: Charted): number {
  return (new Date(b.finished_at!).getTime() - new Date(b.started_at!).getTime()) / 1000;
}

function duration(s: number): string {
  return s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

/** One series as bars, oldest left; each bar says its figure when pointed at. */
function Bars({
  label,
  values,
  text,
}: {
  label: string;
  values: Array<{ id: number; value: number }>;
  text: (v: number) => string;
}) {
  const top = Math.max(...values.map((v) => v.value), 1);
  const step = WIDTH / values.length;
  const newest = values[values.length - 1];
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-label={`${label} of the last ${values.length} backups; newest (${newest.id}): ${text(newest.value)}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
      >
        {values.map((v, n) => {
          const h = Math.max((v.value / top) * (HEIGHT - 2), 1);
          return (
            <rect
              key={v.id}
              x={n * step + 1}
              y={HEIGHT - h}
              width={Math.max(step - 2, 1)}
              height={h}
            >
              <title>{`Backup ${v.id}: ${text(v.value)}`}</title>
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
      <Bars label="Size" values={done.map((b) => ({ id: b.id, value: b.size }))} text={size} />
      <Bars
        label="Duration"
        values={done.map((b) => ({ id: b.id, value: seconds(b) }))}
        text={duration}
      />
    </div>
  );
}
