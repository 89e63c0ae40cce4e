import { Progress } from '../api';
import { size } from './size';

/**
 * A live bar: `done` of `total` bytes, or, with no total to measure against (an instance's first
 * backup), a bar that only says work goes on, beside the bytes done so far.
 */
function Bar({ label, done, total }: { label: string; done: number | null; total: number | null }) {
  const known = total !== null && total > 0;
  return (
    <div class="progress">
      {known ? (
        <progress aria-label={label} max={total} value={Math.min(done ?? 0, total)} />
      ) : (
        <progress aria-label={label} />
      )}{' '}
      <span>
        {size(done ?? 0)}
        {known && ` of ~${size(total)}`}
      </span>
    </div>
  );
}

interface BarProps {
  label: string;
  done: number | null;
  total: number | null;
}

/** The bar of a running backup, from what the progress route said of it (if anything). */
export function backupBar(progress: Progress | null, id: number): BarProps | undefined {
  const p = progress?.backups.find((b) => b.id === id);
  return (
    p && { label: `Backup ${id}: archive written`, done: p.bytes_written, total: p.expected_bytes }
  );
}

/** The bar of a running restore: the archive read of its size. */
export function restoreBar(progress: Progress | null, id: number): BarProps | undefined {
  const p = progress?.restores.find((r) => r.id === id);
  return p && { label: `Restore ${id}: archive read`, done: p.bytes_read, total: p.size };
}

/** A backup's or restore's status cell: the status, why it failed, and while it runs its bar. */
export function StatusCell({
  status,
  reason,
  bar,
}: {
  status: string;
  reason?: string | null;
  bar?: BarProps;
}) {
  return (
    <td class={status === 'failed' ? 'late' : undefined}>
      {status}
      {reason && <div class="reason">{reason}</div>}
      {status === 'running' && bar && <Bar {...bar} />}
    </td>
  );
}
