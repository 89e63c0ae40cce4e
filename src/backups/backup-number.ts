/** The public `:id` of a backup: a positive 32-bit integer written without sign or leading zeros. */
export function parseBackupNumber(raw: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 2147483647 ? n : null;
}
