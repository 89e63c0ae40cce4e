import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The one written form of a moment the API reads (RFC 3339, the profile of ISO 8601 that the
 * documents show): `2026-12-02T10:15:30Z`, with an optional fraction of a second and an offset
 * `Z` or `±hh:mm`. ISO 8601's other forms (week dates, ordinal dates, the basic format without
 * separators, hours alone, a comma before the fraction, an offset of hours alone) are refused
 * rather than guessed at.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
/** A calendar date alone, read as its first moment in UTC (where a filter takes one). */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The moment `text` names in the accepted form, or null for any other text or an impossible
 * date (a 30th of February, hour 24, an offset beyond ±23:59). A fraction finer than a
 * millisecond is cut to the millisecond (parseMomentMicros keeps it to the microsecond).
 */
export function parseMoment(text: unknown, { dateAlone = false } = {}): Date | null {
  if (typeof text !== 'string') return null;
  const day = dateAlone ? DATE.exec(text) : null;
  const m = DATE_TIME.exec(text);
  if (!m && !day) return null;
  const [year, month, date] = (m ?? day!).slice(1, 4).map(Number);
  const [hour, minute, second] = m ? m.slice(4, 7).map(Number) : [0, 0, 0];
  const millis = m?.[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const [offsetHours, offsetMinutes] = m?.[9] ? [Number(m[10]), Number(m[11])] : [0, 0];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return null;
  }
  const utc = Date.UTC(year, month - 1, date, hour, minute, second, millis);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1) return null;
  if (back.getUTCDate() !== date) return null;
  const offset = (m?.[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const moment = new Date(utc - offset);
  return Number.isNaN(moment.getTime()) ? null : moment;
}

/**
 * The moment `text` names (as parseMoment reads it) in microseconds since 1970, keeping the
 * fraction's fourth to sixth digits that a Date cuts; null where parseMoment refuses the text.
 */
export function parseMomentMicros(text: unknown): bigint | null {
  const moment = parseMoment(text);
  if (moment === null) return null;
  const fraction = DATE_TIME.exec(text as string)?.[7] ?? '';
  return BigInt(moment.getTime()) * 1000n + BigInt(fraction.padEnd(6, '0').slice(3, 6));
}

/** Microseconds since 1970 as RFC 3339 in UTC with six digits of fraction, as PostgreSQL reads it. */
export function microsText(micros: bigint): string {
  const millis = micros / 1000n;
  const rest = (micros % 1000n).toString().padStart(3, '0');
  return new Date(Number(millis)).toISOString().replace('Z', `${rest}Z`);
}

/** What a refused moment's message says is accepted. */
export const MOMENT_FORM =
  'YYYY-MM-DDThh:mm:ss[.fff] with Z or an offset ±hh:mm, e.g. 2026-12-02T10:15:30.250Z';

/**
 * A field that holds a moment in the accepted form (parseMoment); the message names the field
 * and the form.
 */
export function IsMoment(
  field: string,
  options: { dateAlone?: boolean } = {},
  validation?: ValidationOptions,
): PropertyDecorator {
  const form = options.dateAlone ? `YYYY-MM-DD or ${MOMENT_FORM}` : MOMENT_FORM;
  return ValidateBy(
    {
      name: 'isMoment',
      validator: {
        validate: (value) => parseMoment(value, options) !== null,
        defaultMessage: () => `${field} must be a moment written as ${form}`,
      },
    },
    validation,
  );
}
