/** A PostgreSQL LSN as PostgreSQL writes it (`16/B374D848`), as a number that compares. */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/** An LSN as PostgreSQL writes it. */
export const lsnText = (v: bigint) =>
  `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
