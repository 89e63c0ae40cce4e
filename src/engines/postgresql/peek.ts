import { once } from 'node:events';
import { Readable } from 'node:stream';

/** A tar archive: "ustar" at offset 257 of its first header. */
export function isTar(head: Buffer): boolean {
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

/** The first `n` bytes of `input` (fewer if it is shorter), and a stream of all of it. */
export async function peek(
  input: Readable,
  n: number,
): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const chunk = input.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      size += chunk.length;
      continue;
    }
    if (input.readableEnded) break;
    const settled = await Promise.race([
      once(input, 'readable').then(() => 'more'),
      once(input, 'end').then(() => 'end'),
    ]);
    if (settled === 'end') break;
  }
  const head = Buffer.concat(chunks);
  if (input.readableEnded) return { head, stream: Readable.from([head]) };
  input.unshift(head);
  return { head, stream: input };
}
