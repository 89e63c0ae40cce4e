import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { Writable } from 'node:stream';

/** S3's smallest part (every part but the last), its largest, and the most parts of an upload. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_SIZE = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
/** Parts of one size before the size doubles. */
const PARTS_PER_SIZE = 900;

/**
 * The size of part `partNumber` (from 1): 900 parts of 5 MiB (4.4 GiB), then 900 of 10 MiB, and
 * so on up to S3's largest part, so that a small archive is held in small parts and 10,000 parts
 * hold more than 5 TiB, the largest object S3 stores. Parts may differ in size; only the last
 * may be smaller than 5 MiB.
 */
export function partSize(partNumber: number): number {
  return Math.min(
    MIN_PART_SIZE * 2 ** Math.floor((partNumber - 1) / PARTS_PER_SIZE),
    MAX_PART_SIZE,
  );
}

export interface UploadTarget {
  Bucket: string;
  Key: string;
  ContentType: string;
  /** `*`: the object is created only if the key holds none (on the put, or the completion) */
  IfNoneMatch?: string;
}

/**
 * A sink that stores what is written into it as one object, through a multipart upload: each
 * part is copied once into a buffer of its size and sent while the next fills; while
 * `partsInFlight` parts are on their way the writer waits, so a running upload holds at most
 * that many parts (10 MiB with two, for archives up to 4.4 GiB), in buffers it takes again for
 * later parts. What fits in one part is sent with a single PUT. The object appears only once
 * the sink finished (CompleteMultipartUpload); a sink that is destroyed aborts its upload, and
 * is closed only once that abort was answered.
 */
export class S3UploadSink extends Writable {
  private part: Buffer | null = null;
  /** buffers of parts that have been sent, taken again for the next parts of their size */
  private readonly spare: Buffer[] = [];
  private filled = 0;
  private partNumber = 1;
  private uploadId: Promise<string> | null = null;
  private readonly sending = new Set<Promise<void>>();
  private readonly parts: CompletedPart[] = [];
  private readonly cancel = new AbortController();
  private failure: Error | null = null;
  private completed = false;

  constructor(
    private readonly client: S3Client,
    private readonly target: UploadTarget,
    private readonly partsInFlight = 2,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error) => void): void {
    this.take(chunk).then(() => done(), done);
  }

  override _final(done: (err?: Error) => void): void {
    this.finish().then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.cancel.abort();
    if (this.uploadId === null || this.completed) return done(err);
    this.abort().then(
      () => done(err),
      (abortErr: Error) => done(err ?? abortErr),
    );
  }

  private async take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      this.part ??= this.takeBuffer(partSize(this.partNumber));
      const copied = chunk.copy(this.part, this.filled, offset);
      offset += copied;
      this.filled += copied;
      if (this.filled < this.part.length) continue;
      if (this.partNumber === MAX_PARTS) {
        throw new Error('the archive is larger than one S3 object can be (5 TiB)');
      }
      this.send(this.part, this.partNumber++);
      this.part = null;
      this.filled = 0;
      // with `partsInFlight` parts on their way, the next is filled only once one was answered
      await this.settle(this.partsInFlight - 1);
    }
  }

  private async finish(): Promise<void> {
    const rest = this.part?.subarray(0, this.filled) ?? Buffer.alloc(0);
    if (this.uploadId === null) {
      await this.client.send(new PutObjectCommand({ ...this.target, Body: rest }), {
        abortSignal: this.cancel.signal,
      });
      return;
    }
    if (rest.length > 0) this.send(rest, this.partNumber++);
    this.part = null;
    await this.settle(0);
    this.parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.target.Bucket,
        Key: this.target.Key,
        IfNoneMatch: this.target.IfNoneMatch,
        UploadId: await this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
      { abortSignal: this.cancel.signal },
    );
    this.completed = true;
  }

  /**
   * A buffer for the next part: one that was sent already where there is one, so that a long
   * upload does not leave a trail of part-sized garbage for the collector (each lives long
   * enough to reach the old generation, which is collected rarely).
   */
  private takeBuffer(size: number): Buffer {
    const spare = this.spare.pop();
    if (spare?.length === size) return spare;
    this.spare.length = 0; // parts have grown: the smaller buffers are of no more use
    return Buffer.allocUnsafe(size);
  }

  /** Waits until at most `most` parts are on their way; rejects with the first that failed. */
  private async settle(most: number): Promise<void> {
    while (this.sending.size > most && !this.failure) await Promise.race(this.sending);
    if (this.failure) throw this.failure;
  }

  private send(data: Buffer, partNumber: number): void {
    const sent = this.sendPart(data, partNumber).then(
      () => {
        this.sending.delete(sent);
        this.spare.push(data);
      },
      (err: Error) => {
        this.sending.delete(sent);
        this.failure ??= err;
      },
    );
    this.sending.add(sent);
  }

  private async sendPart(data: Buffer, partNumber: number): Promise<void> {
    const { Bucket, Key } = this.target;
    this.uploadId ??= this.client
      .send(
        new CreateMultipartUploadCommand({
          Bucket,
          Key,
          ContentType: this.target.ContentType,
          ChecksumAlgorithm: ChecksumAlgorithm.CRC32,
        }),
        { abortSignal: this.cancel.signal },
      )
      .then((created) => created.UploadId!);
    const UploadId = await this.uploadId;
    const answer = await this.client.send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber: partNumber,
        Body: data,
        ChecksumAlgorithm: ChecksumAlgorithm.CRC32,
      }),
      { abortSignal: this.cancel.signal },
    );
    if (!answer.ETag) throw new Error(`the object store sent no ETag for part ${partNumber}`);
    this.parts.push({
      PartNumber: partNumber,
      ETag: answer.ETag,
      ...(answer.ChecksumCRC32 && { ChecksumCRC32: answer.ChecksumCRC32 }),
    });
  }

  private async abort(): Promise<void> {
    const UploadId = await this.uploadId!.catch(() => null);
    if (UploadId === null) return; // never created: nothing to abort
    await Promise.allSettled(this.sending);
    await this.client.send(
      new AbortMultipartUploadCommand({
        Bucket: this.target.Bucket,
        Key: this.target.Key,
        UploadId,
      }),
    );
  }
}
