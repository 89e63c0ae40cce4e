import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';

/**
 * The start of the schedule period that `now` falls in: the latest time at or before `now` that
 * the cron expression (UTC) names.
 */
export function periodStart(cron: string, now: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: 'UTC' })
    .prev()
    .toDate();
}

/**
 * How long after the period start an instance's scheduled backup begins: a fixed offset within
 * the jitter window, derived from the instance id, so thousands of instances do not start in the
 * same second and each keeps its slot from day to day.
 */
export function jitterOffsetMs(instanceId: string, jitterMinutes: number): number {
  const window = jitterMinutes * 60_000;
  if (window === 0) return 0;
  return createHash('sha256').update(instanceId).digest().readUInt32BE(0) % window;
}
