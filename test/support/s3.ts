import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/core/config/app-config';

export interface S3TestServer {
  /** the settings of the s3 driver for this server, as the environment gives them */
  env: Record<string, string>;
  settings: S3Settings;
  /** every key in the bucket, as a client of the store lists them */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver) on a free loopback port, with one bucket. It checks
 * request signatures, so the credentials must be right. It implements neither
 * ListMultipartUploads nor AbortMultipartUpload.
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
