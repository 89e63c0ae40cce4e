import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3UploadSink, partSize } from './s3-upload-sink';

const MiB = 1024 * 1024;

describe('partSize', () => {
  it('starts at S3’s smallest part and reaches its largest object within 10,000 parts', () => {
    expect(partSize(1)).toBe(5 * MiB);
    expect(partSize(900)).toBe(5 * MiB);
    expect(partSize(901)).toBe(10 * MiB);
    let total = 0;
    for (let n = 1; n <= 10_000; n++) {
      expect(partSize(n)).toBeLessThanOrEqual(5 * 1024 ** 3);
      total += partSize(n);
    }
    expect(total).toBeGreaterThanOrEqual(5 * 1024 ** 4);
  });
});

/** An object store that answers every request, parts only when told to. */
function store() {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const held: Array<() => void> = [];
  /** the memory the parts were sent from */
  const memory = new Set<ArrayBufferLike>();
  let inFlight = 0;
  let mostInFlight = 0;
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      // a copy of the body: the sink takes a part's buffer again once the part was answered
      const { Body } = command.input;
      const input = Buffer.isBuffer(Body)
        ? { ...command.input, Body: Buffer.from(Body) }
        : command.input;
      sent.push({ name: command.constructor.name, input });
      if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'u-1' };
      if (command instanceof UploadPartCommand) {
        memory.add((command.input.Body as Buffer).buffer);
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise<void>((release) => held.push(release));
        inFlight--;
        return { ETag: `"e${String(command.input.PartNumber)}"` };
      }
      return {};
    },
  } as unknown as S3Client;
  return { client, sent, held, memory, mostInFlight: () => mostInFlight };
}

const target = { Bucket: 'b', Key: 'k', ContentType: 'application/octet-stream' };

describe('S3UploadSink', () => {
  it('sends what fits in one part with a single PUT', async () => {
    const s = store();
    await pipeline(Readable.from([Buffer.from('small')]), new S3UploadSink(s.client, target));
    expect(s.sent.map((c) => c.name)).toEqual([PutObjectCommand.name]);
    expect((s.sent[0].input.Body as Buffer).toString()).toBe('small');
  });

  it('holds back the writer while two parts are on their way, and completes them in order', async () => {
    const s = store();
    const bytes = randomBytes(17 * MiB);
    const chunks = Array.from({ length: 17 }, (_, i) => bytes.subarray(i * MiB, (i + 1) * MiB));
    let finished = false;
    const done = pipeline(Readable.from(chunks), new S3UploadSink(s.client, target, 2)).finally(
      () => (finished = true),
    );
    // a part is answered only once two are on their way, or once the last (the 4th) was sent
    while (!finished) {
      const partsSent = s.sent.filter((c) => c.name === UploadPartCommand.name).length;
      if (s.held.length === 2 || (partsSent === 4 && s.held.length > 0)) s.held.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await done;
    expect(s.mostInFlight()).toBe(2);
    // never more than two parts in memory: four parts sent from two buffers
    expect(s.memory.size).toBe(2);
    const parts = s.sent.filter((c) => c.name === UploadPartCommand.name);
    expect(parts.map((c) => (c.input.Body as Buffer).length)).toEqual([
      5 * MiB,
      5 * MiB,
      5 * MiB,
      2 * MiB,
    ]);
    expect(Buffer.concat(parts.map((c) => c.input.Body as Buffer)).equals(bytes)).toBe(true);
    const complete = s.sent.at(-1)!;
    expect(complete.name).toBe(CompleteMultipartUploadCommand.name);
    expect(complete.input.MultipartUpload).toEqual({
      Parts: [1, 2, 3, 4].map((n) => ({ PartNumber: n, ETag: `"e${n}"` })),
    });
  });

  it('aborts the upload when it is destroyed, and closes only once that was answered', async () => {
    const s = store();
    const sink = new S3UploadSink(s.client, target);
    const failed = new Promise((r) => sink.once('error', r));
    sink.write(randomBytes(6 * MiB));
    while (s.held.length === 0) await new Promise((r) => setImmediate(r));
    const closed = new Promise((r) => sink.once('close', r));
    sink.destroy(new Error('dump died'));
    s.held.shift()!();
    await closed;
    expect(await failed).toEqual(new Error('dump died'));
    expect(s.sent.at(-1)).toEqual({
      name: AbortMultipartUploadCommand.name,
      input: { Bucket: 'b', Key: 'k', UploadId: 'u-1' },
    });
    expect(s.sent.some((c) => c.name === CompleteMultipartUploadCommand.name)).toBe(false);
  });
});
