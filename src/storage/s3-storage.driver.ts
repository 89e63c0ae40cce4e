import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { S3Settings } from '../core/config/app-config';
import {
  ByteRange,
  DeleteManyResult,
  LIST_PAGE_SIZE,
  ObjectExistsError,
  RangeReader,
  SinkClosedError,
  StorageDriver,
  StorageTimeoutError,
  StoredObject,
  WriteOptions,
  assertSafeKey,
} from './storage-driver';
import { S3UploadSink } from './s3-upload-sink';

/**
 * Parts of a multipart upload on their way at once, which is also how many parts a running
 * backup holds in memory (5 MiB each for archives up to 4.4 GiB, see s3-upload-sink.ts).
 */
const PARTS_IN_FLIGHT = 2;
/** Keys per DeleteObjects request (S3's most), and such requests on their way at once. */
const DELETE_BATCH = 1000;
const DELETE_REQUESTS_IN_FLIGHT = 4;
/** A connection that stays silent this long, mid-request, is given up on. */
const IDLE_TIMEOUT_MS = 120_000;

/**
 * Archives as objects in a bucket of any S3-compatible store, under an optional prefix.
 * A write streams into a multipart upload, so the object appears only when the upload is
 * completed: a reader never sees half an archive. A write that fails aborts its upload; one cut
 * short by a crash is aborted by removePartials() when the backup runs again (a lifecycle rule
 * that aborts incomplete multipart uploads after a day covers stores that cannot list them).
 */
export class S3StorageDriver implements StorageDriver {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  /**
   * `responseTimeoutMs` bounds connecting to the store, and how long a download waits for the
   * store's answer before the API gives up (504).
   */
  constructor(
    settings: S3Settings,
    private readonly responseTimeoutMs: number,
  ) {
    this.bucket = settings.bucket;
    this.prefix =
      settings.prefix === '' || settings.prefix.endsWith('/')
        ? settings.prefix
        : `${settings.prefix}/`;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      // without keys, the SDK's own chain (environment, profile, instance or task role) applies
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      requestHandler: { connectionTimeout: responseTimeoutMs, socketTimeout: IDLE_TIMEOUT_MS },
    });
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return `${this.prefix}${key}`;
  }

  async write(
    key: string,
    produce: (sink: Writable) => Promise<void>,
    { createOnly = false }: WriteOptions = {},
  ): Promise<void> {
    const sink = new S3UploadSink(
      this.client,
      {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ContentType: 'application/octet-stream',
        ...(createOnly ? { IfNoneMatch: '*' } : {}),
      },
      PARTS_IN_FLIGHT,
    );
    // its errors reach the caller through `produce` or the rethrow below, not as an event
    sink.on('error', () => undefined);
    try {
      await produce(sink);
      // the object exists once the sink has finished (CompleteMultipartUpload answered)
      if (!sink.writableFinished) await finished(sink.end());
    } catch (err) {
      // a destroyed sink aborts its upload; wait for that before telling the caller
      if (!sink.closed) {
        const closed = new Promise((resolve) => sink.once('close', resolve));
        sink.destroy(err instanceof Error ? err : new Error(String(err)));
        await closed;
      }
      // the store's answer to a conditional put when the key exists (412), or when another
      // conditional write of it raced this one (409)
      const name = (err as { name?: string }).name;
      if (createOnly && (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict')) {
        throw new ObjectExistsError(key);
      }
      throw err;
    }
  }

  async openRange(key: string, range: ByteRange): Promise<RangeReader> {
    const expected = range.end - range.start + 1;
    if (expected <= 0) {
      // S3 has no empty range to GET; only check that the object exists
      if (!(await this.stat(key))) throw new Error(`no object under ${key}`);
      return { copyTo: () => Promise.resolve(), close: () => undefined };
    }
    // a bound on the answer only: once the body flows, only IDLE_TIMEOUT_MS applies
    const answer = new AbortController();
    const timer = setTimeout(() => answer.abort(), this.responseTimeoutMs);
    let response;
    try {
      response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Range: `bytes=${range.start}-${range.end}`,
        }),
        { abortSignal: answer.signal },
      );
    } catch (err) {
      if (answer.signal.aborted) {
        throw new StorageTimeoutError(
          `the object store did not answer within ${this.responseTimeoutMs} ms`,
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
    const body = response.Body as Readable;
    if (response.ContentLength !== expected) {
      body.destroy();
      throw new Error(
        `storage returned ${response.ContentLength} bytes for a range of ${expected}: the object does not have the size recorded`,
      );
    }
    // HTTP framing ends the body with an error if the store delivers fewer bytes than announced
    return {
      copyTo: async (sink) => {
        try {
          await pipeline(body, sink, { end: false });
        } catch (err) {
          if (sink.destroyed) throw new SinkClosedError();
          throw err;
        } finally {
          body.destroy();
        }
      },
      close: () => body.destroy(),
    };
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success too
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
    );
  }

  /** DeleteObjects, 1,000 keys a request, a few requests at once. */
  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    const objectKeys = keys.map((key) => this.objectKey(key));
    const failed: string[] = [];
    let error: string | undefined;
    const batches: number[] = [];
    for (let i = 0; i < keys.length; i += DELETE_BATCH) batches.push(i);
    const deleteBatch = async (start: number): Promise<void> => {
      const batch = objectKeys.slice(start, start + DELETE_BATCH);
      try {
        const answer = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        for (const e of answer.Errors ?? []) {
          failed.push(e.Key!.slice(this.prefix.length));
          error ??= `${e.Code}: ${e.Message}`;
        }
      } catch (err) {
        failed.push(...keys.slice(start, start + DELETE_BATCH));
        error ??= (err as Error).message;
      }
    };
    const workers = Array.from({ length: DELETE_REQUESTS_IN_FLIGHT }, async () => {
      for (let start = batches.shift(); start !== undefined; start = batches.shift()) {
        await deleteBatch(start);
      }
    });
    await Promise.all(workers);
    return { failed, error };
  }

  async *list(): AsyncIterable<StoredObject[]> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix || undefined,
          ContinuationToken: token,
          MaxKeys: LIST_PAGE_SIZE,
        }),
      );
      const objects = (page.Contents ?? [])
        .filter((o) => o.Key?.startsWith(this.prefix))
        .map((o) => ({
          key: o.Key!.slice(this.prefix.length),
          modifiedAt: o.LastModified ?? new Date(0),
        }));
      if (objects.length > 0) yield objects;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async removePartials(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    let listed;
    try {
      listed = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: objectKey }),
      );
    } catch (err) {
      // some S3-compatible stores cannot list uploads; their lifecycle rules must clean up
      if ((err as Error).name === 'NotImplemented') return;
      throw err;
    }
    await Promise.all(
      (listed.Uploads ?? [])
        .filter((u) => u.Key === objectKey && u.UploadId)
        .map((u) =>
          this.client.send(
            new AbortMultipartUploadCommand({
              Bucket: this.bucket,
              Key: objectKey,
              UploadId: u.UploadId,
            }),
          ),
        ),
    );
  }

  async probe(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const why =
        status === 404
          ? 'it does not exist'
          : status === 403 || status === 401
            ? 'these credentials may not use it'
            : (err as Error).message;
      throw new Error(`bucket "${this.bucket}" cannot be used: ${why}`);
    }
  }

  /** Closes the client's connections when the process shuts down. */
  onModuleDestroy(): void {
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
