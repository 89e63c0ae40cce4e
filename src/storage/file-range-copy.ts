import { read } from 'node:fs';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { ByteRange, SinkClosedError } from './storage-driver';

const readAt = promisify(read);
const CHUNK = 1024 * 1024;
const BUFFERS = 2;

/**
 * Copies bytes `range.start` to `range.end` of an open file into `sink`, which it does not end.
 *
 * It goes through two 1 MiB buffers that it re-uses: the next chunk is read while the previous
 * one is still being written, and a buffer is read into again only after the sink's write
 * callback has fired, so only once the sink holds it no longer. That also bounds what the sink
 * buffers to two chunks, whatever its highWaterMark.
 * Why not `fs.createReadStream`: it allocates a fresh Buffer per chunk. In the API process,
 * whose heap is much larger than a bare server's, that churn of external memory set off a full
 * mark-compact every 30–40 MiB served and halved the download throughput.
 *
 * Rejects when the file ends before `range.end`, when a read fails, or when the sink closes or
 * fails first (the client hung up); the sink may then have received part of the range.
 */
export async function copyFileRange(fd: number, range: ByteRange, sink: Writable): Promise<void> {
  const idle = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafeSlow(CHUNK));
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (err: Error) => {
    failure ??= err;
    signal();
  };
  const onClose = () => fail(new SinkClosedError());
  sink.once('close', onClose);
  sink.once('error', fail);
  /** waits until `ready()` holds or something failed */
  const until = async (ready: () => boolean) => {
    while (!ready() && !failure && !sink.destroyed) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    if (sink.destroyed) throw new SinkClosedError();
  };
  try {
    let position = range.start;
    while (position <= range.end) {
      await until(() => idle.length > 0);
      const buffer = idle.pop()!;
      const wanted = Math.min(CHUNK, range.end - position + 1);
      const { bytesRead } = await readAt(fd, buffer, 0, wanted, position);
      if (bytesRead === 0) {
        throw new Error(`the file ends at byte ${position}, before byte ${range.end}`);
      }
      position += bytesRead;
      const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      sink.write(chunk, (err) => {
        if (err) fail(err);
        idle.push(buffer);
        signal();
      });
    }
    // the sink has taken every chunk: the caller may end it
    await until(() => idle.length === BUFFERS);
  } finally {
    sink.off('close', onClose);
    sink.off('error', fail);
  }
}
