import { size } from './size';

/**
 * A live bar: `done` of `total` bytes, or, with no total to measure against (an instance's first
 * backup), a bar that only says work goes on, beside the bytes done so far.
 */
export function Bar({
  label,
  done,
  total,
}: {
  label: string;
  done: number | null;
  total: number | null;
}) {
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
