import { FleetInstance } from '../api';
import { OVERDUE_MS } from './age';

/** How much an instance needs a look, most urgent first; `ok` covers healthy and pending. */
export type Urgency = 'failing' | 'overdue' | 'never' | 'pending' | 'ok';

const RANK: Record<Urgency, number> = { failing: 0, overdue: 1, never: 2, pending: 3, ok: 3 };

/**
 * Failing: its newest backup failed. Overdue: its newest success is older than the daily
 * schedule and its slack (26 h). Never: registered more than 26 h ago and never backed up.
 * Pending: registered less than 26 h ago, its first scheduled backup still to come.
 */
export function urgencyOf(i: FleetInstance, now = Date.now()): Urgency {
  if (i.last_failure_at !== null) return 'failing';
  if (i.last_success_at !== null) {
    return now - Date.parse(i.last_success_at) > OVERDUE_MS ? 'overdue' : 'ok';
  }
  return now - Date.parse(i.created_at) > OVERDUE_MS ? 'never' : 'pending';
}

/** Whether an operator should look at it now. */
export const needsAttention = (u: Urgency) => RANK[u] < RANK.pending;

/** Most urgent first (failing, overdue, never backed up past 26 h), then by name. */
export function byUrgency(instances: FleetInstance[], now = Date.now()): FleetInstance[] {
  const rank = new Map(instances.map((i) => [i.id, RANK[urgencyOf(i, now)]]));
  return [...instances].sort(
    (a, b) =>
      rank.get(a.id)! - rank.get(b.id)! ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1),
  );
}

/** The figures at the top of the fleet. */
export function fleetCounts(instances: FleetInstance[], now = Date.now()) {
  let failing = 0;
  let overdue = 0;
  let verified = 0;
  let lag: { ms: number; name: string } | null = null;
  for (const i of instances) {
    const u = urgencyOf(i, now);
    if (u === 'failing') failing++;
    if (u === 'overdue' || u === 'never') overdue++;
    if (i.verified_at && now - Date.parse(i.verified_at) <= 86_400_000) verified++;
    if (i.pitr_end) {
      const ms = Math.max(0, now - Date.parse(i.pitr_end));
      if (!lag || ms > lag.ms) lag = { ms, name: i.name };
    }
  }
  return { failing, overdue, verified, lag };
}
