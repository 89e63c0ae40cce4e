import { lsnText } from './lsn';

/** A completed WAL segment's file name: timeline, log and segment, 8 hex digits each. */
export const SEGMENT_NAME = /^[0-9A-F]{24}$/;

/** A segment pg_receivewal is still writing. */
export const PARTIAL_NAME = /^[0-9A-F]{24}\.partial$/;

/**
 * Where a piece of a segment of an instance is stored (outside the backups' layout, which
 * retention reconciles): by its byte offset in the segment, the receiver generation that wrote
 * it and that receiver's count of writes. No two writes share a key: a worker that stalled past
 * its lease cannot hit the key of the one that took over, nor a retry its own earlier write.
 */
export const walKey = (
  instanceId: string,
  segment: string,
  offset: bigint,
  generation: bigint,
  write: number,
) =>
  `${instanceId}/wal/${segment}.${offset.toString(16).toUpperCase().padStart(8, '0')}.g${generation}-${write}.tgz`;

/** The LSN range a segment file covers, as PostgreSQL writes LSNs (`16/B374D848`). */
export function segmentRange(
  segment: string,
  segmentSize: number,
): { timeline: number; start: string; end: string } {
  const { timeline, start, end } = segmentBounds(segment, segmentSize);
  return { timeline, start: lsnText(start), end: lsnText(end) };
}

/** segmentRange as numbers. */
export function segmentBounds(
  segment: string,
  segmentSize: number,
): { timeline: number; start: bigint; end: bigint } {
  const timeline = parseInt(segment.slice(0, 8), 16);
  const log = BigInt(`0x${segment.slice(8, 16)}`);
  const seg = BigInt(`0x${segment.slice(16, 24)}`);
  const start = (log << 32n) + seg * BigInt(segmentSize);
  return { timeline, start, end: start + BigInt(segmentSize) };
}
