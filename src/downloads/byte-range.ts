import type { ByteRange } from '../storage/storage-driver';

/**
 * Reads an HTTP `Range` header against a body of `size` bytes (RFC 9110 §14.1.2).
 * - 'full': no range, a multi-range or a unit other than bytes: answer 200 with everything;
 * - 'unsatisfiable': answer 416;
 * - a ByteRange: answer 206 with exactly those bytes.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'full' | 'unsatisfiable' {
  if (header === undefined) return 'full';
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!match) return 'full';
  const [, first, last] = match;
  if (first === '' && last === '') return 'full';
  if (first === '') {
    // suffix range: the last N bytes
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return 'full'; // syntactically invalid: ignore the header
  return { start, end };
}
