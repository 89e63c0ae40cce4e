import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createOpensslEncryptStream } from '../crypto/openssl-enc';
import { readArchive } from './read-archive';

const KEY = 'read-archive-spec-key';

/** An archive as writeArchive makes it, of 8 MiB of incompressible content. */
async function archive(): Promise<Buffer> {
  const encrypt = createOpensslEncryptStream(KEY);
  const parts: Buffer[] = [];
  encrypt.on('data', (d: Buffer) => parts.push(d));
  encrypt.end(gzipSync(randomBytes(8 * 1024 * 1024)));
  await once(encrypt, 'end');
  return Buffer.concat(parts);
}

/** Copies like a storage driver: 1 MiB at a time, the next only once the sink took the last. */
function copyOf(bytes: Buffer, released: { done: boolean }) {
  return async (sink: Writable) => {
    try {
      for (let at = 0; at < bytes.length; at += 1024 * 1024) {
        await new Promise<void>((resolve, reject) => {
          if (sink.destroyed) return reject(new Error('sink closed'));
          sink.once('close', () => reject(new Error('sink closed')));
          sink.write(bytes.subarray(at, at + 1024 * 1024), (err) =>
            err ? reject(err) : resolve(),
          );
        });
      }
    } finally {
      released.done = true;
    }
  };
}

describe('readArchive', () => {
  let bytes: Buffer;
  beforeAll(async () => {
    bytes = await archive();
  });

  it('hands the content to the consumer and the SHA-256 of the stored bytes', async () => {
    let read = 0;
    let digest = '';
    await readArchive({
      copy: copyOf(bytes, { done: false }),
      passphrase: KEY,
      consume: async (content, sha256) => {
        for await (const chunk of content) read += (chunk as Buffer).length;
        digest = sha256();
      },
    });
    expect(read).toBe(8 * 1024 * 1024);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('settles with the consumer’s error when it gives up after the first chunk, and releases the storage read', async () => {
    const released = { done: false };
    const refused = new Error('the tool refused the first statement');
    const reading = readArchive(
      {
        copy: copyOf(bytes, released),
        passphrase: KEY,
        // reads one chunk and fails, as psql does at a statement it refuses
        consume: async (content: Readable) => {
          await once(content, 'readable');
          throw refused;
        },
      },
      (err) => err === refused,
    );
    await expect(reading).rejects.toBe(refused);
    expect(released.done).toBe(true);
  });

  it('settles with the storage error when storage fails half-way, and the consumer sees it', async () => {
    const broken = new Error('storage went away');
    let consumerSaw: unknown;
    const reading = readArchive({
      copy: async (sink) => {
        await new Promise<void>((resolve) =>
          sink.write(bytes.subarray(0, 1024 * 1024), () => resolve()),
        );
        throw broken;
      },
      passphrase: KEY,
      consume: async (content) => {
        try {
          for await (const _ of content) void _;
        } catch (err) {
          consumerSaw = err;
          throw err;
        }
      },
    });
    await expect(reading).rejects.toBe(broken);
    expect(consumerSaw).toBe(broken);
  });

  it('fails a consumer that returns before the end of the content instead of hanging', async () => {
    const reading = readArchive({
      copy: copyOf(bytes, { done: false }),
      passphrase: KEY,
      consume: async (content) => {
        await once(content, 'readable');
      },
    });
    await expect(reading).rejects.toThrow(/before it had read the whole archive/);
  });
});
