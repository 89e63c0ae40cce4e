import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver, { S3rverContext } from 's3rver';
import type { S3Settings } from '../../src/core/config/app-config';

export interface S3TestServer {
  /** the settings of the s3 driver for this server, as the environment gives them */
  env: Record<string, string>;
  settings: S3Settings;
  /** every key in the bucket, as a client of the store lists them */
  keys(): Promise<string[]>;
  /** every key an object was stored under (a put or a multipart completion), once per write */
  writes: string[];
  close(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver) on a free loopback port, with one bucket. It checks
 * request signatures, so the credentials must be right. It implements neither
 * ListMultipartUploads nor AbortMultipartUpload; conditional writes (`If-None-Match: *` on a
 * put or a multipart upload's completion) are added in front of it, answered as S3 does.
 */
export async function startS3Server(
  prefix = 'archives',
  { port: wanted = 0, anyCredentials = false } = {},
): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'bm-s3-'));
  const bucket = 'bm-test-backups';
  const server = new S3rver({
    address: '127.0.0.1',
    port: wanted,
    silent: true,
    // for a test whose service signs with credentials of its own
    allowMismatchedSignatures: anyCredentials,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const writes: string[] = [];
  server.middleware.unshift(conditionalWrites(server, writes));
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const settings: S3Settings = {
    bucket,
    prefix,
    endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  };
  const client = new S3Client({
    endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    settings,
    env: {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_PREFIX: prefix,
      S3_ENDPOINT: endpoint,
      S3_REGION: settings.region,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    writes,
    async keys() {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * S3's conditional writes, which s3rver lacks: a put (or a multipart completion) with
 * `If-None-Match: *` onto a key that holds an object is refused with 412 PreconditionFailed.
 * Checked before the write rather than atomically with it: enough for one test's requests.
 * Every key an object was stored under is added to `writes`.
 */
function conditionalWrites(server: S3rver, writes: string[]) {
  return async (ctx: S3rverContext, next: () => Promise<void>): Promise<void> => {
    const creating =
      (ctx.method === 'PUT' && !ctx.query.partNumber) ||
      (ctx.method === 'POST' && ctx.query.uploadId !== undefined);
    const [bucket, ...key] = decodeURIComponent(ctx.path).slice(1).split('/');
    if (creating && ctx.get('if-none-match') === '*') {
      if (await server.store.existsObject(bucket, key.join('/'))) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
          '<Condition>If-None-Match</Condition></Error>';
        return;
      }
    }
    await next();
    if (creating && ctx.status < 300) writes.push(key.join('/'));
  };
}
