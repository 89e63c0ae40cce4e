const HOUR = 3_600_000;

/** How long ago `iso` was, in words a person reads at a glance: "12 min", "5 h", "3 d". */
export function age(iso: string, now = Date.now()): string {
  const ms = Math.max(0, now - Date.parse(iso));
  if (ms < HOUR) return `${Math.floor(ms / 60_000)} min`;
  if (ms < 48 * HOUR) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / (24 * HOUR))} d`;
}

/** A backup older than this is overdue: the daily schedule plus two hours of slack. */
export const OVERDUE_MS = 26 * HOUR;

export function overdue(iso: string | null, now = Date.now()): boolean {
  return iso === null || now - Date.parse(iso) > OVERDUE_MS;
}
