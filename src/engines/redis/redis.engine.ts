import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, closeSync, createWriteStream, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import IORedis from 'ioredis';
import { redisConnection } from '../../core/connections/redis-connection';
import { DumpEngine, ScratchInventory } from '../shared/dump-engine';
import { baseEnvironment, spawnDump } from '../shared/dump-process';
import { RestoreFailedError } from '../shared/restore-process';
import { makePrivateDir, recordServer, serverUser } from '../shared/private-dirs';
import { checkRedis } from './redis.check';
import type { CheckOptions, ConnectionCheckResult } from '../shared/connection-check';

/** Keys copied per round trip when restoring. */
const BATCH = 500;

/**
 * An RDB snapshot as `redis-cli --rdb` writes it. The password travels in REDISCLI_AUTH, which
 * redis-cli reads instead of `-a`, so it never shows in a process listing.
 */
export class RedisEngine implements DumpEngine {
  readonly type = 'redis' as const;
  readonly transactionalRestore = false;

  check(connectionUrl: string, options: CheckOptions): Promise<ConnectionCheckResult> {
    return checkRedis(connectionUrl, options);
  }

  dump(connectionUrl: string): Promise<Readable> {
    const url = new URL(connectionUrl);
    const password = decodeURIComponent(url.password);
    const env = baseEnvironment();
    if (password) env.REDISCLI_AUTH = password;
    const args = ['-h', url.hostname.replace(/^\[|\]$/g, ''), '-p', url.port || '6379'];
    if (url.username) args.push('--user', decodeURIComponent(url.username));
    if (url.protocol === 'rediss:') {
      args.push('--tls');
      for (const name of ['cacert', 'cert', 'key']) {
        const file = url.searchParams.get(name);
        if (file) args.push(`--${name}`, file);
      }
    }
    args.push('--no-auth-warning', '--rdb', '-');
    return Promise.resolve(spawnDump({ command: 'redis-cli', args, env, secrets: [password] }));
  }

  /**
   * The snapshot loaded by a private redis-server (as for a restore), and the keys of each
   * logical database counted there (INFO keyspace). Whether the snapshot held data at all is read
   * from its head: the first database section (SELECTDB) comes right after the header's
   * auxiliary fields, before any key.
   */
  async restoreIntoScratch(input: Readable): Promise<ScratchInventory> {
    const dir = makePrivateDir('redis');
    let server: ChildProcess | undefined;
    let client: IORedis | undefined;
    try {
      const file = join(dir, 'dump.rdb');
      await pipeline(input, createWriteStream(file, { mode: 0o600 }));
      const socket = join(dir, 'redis.sock');
      server = await startSnapshotServer(dir, socket);
      client = new IORedis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      const info = await client.info('keyspace');
      const tables = [...info.matchAll(/^(db\d+):keys=(\d+)/gm)].map((m) => ({
        table: m[1],
        rows: Number(m[2]),
      }));
      return { tables, sourceHeldData: rdbHoldsData(file) };
    } catch (err) {
      if (err instanceof RestoreFailedError) throw err;
      throw new RestoreFailedError(`the snapshot could not be read: ${(err as Error).message}`);
    } finally {
      client?.disconnect();
      if (server && server.exitCode === null) {
        server.kill('SIGKILL');
        await once(server, 'exit').catch(() => undefined);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * A running Redis cannot load an RDB from outside, so the snapshot is loaded by a private
   * redis-server on a unix socket, and copied from there: first the target's keys that the
   * snapshot does not hold are removed, then every key of every logical database is copied with
   * DUMP and RESTORE … REPLACE, keeping its TTL. The RDB has to be a file for that (a server
   * loads snapshots only from its data directory): it is written to a private temporary
   * directory (mode 0700) and removed when the restore ends. Not atomic: a restore that fails
   * half-way leaves the keys copied so far.
   */
  async restore(connectionUrl: string, input: Readable): Promise<void> {
    const dir = makePrivateDir('redis');
    let server: ChildProcess | undefined;
    const clients: IORedis[] = [];
    try {
      await pipeline(input, createWriteStream(join(dir, 'dump.rdb'), { mode: 0o600 }));
      const socket = join(dir, 'redis.sock');
      server = await startSnapshotServer(dir, socket);
      // read once (its certificate files too), for every logical database's connection
      const instance = redisConnection(connectionUrl);
      const connect = (db: number, target: boolean) => {
        const c = target
          ? new IORedis({
              ...instance,
              db,
              lazyConnect: true,
              maxRetriesPerRequest: 1,
            })
          : new IORedis({ path: socket, db, lazyConnect: true, maxRetriesPerRequest: 1 });
        c.on('error', () => undefined); // failures surface as rejected commands
        clients.push(c);
        return c;
      };
      const source0 = connect(0, false);
      const target0 = connect(0, true);
      const dbs = new Set([
        ...keyspaceDbs(await source0.info('keyspace')),
        ...keyspaceDbs(await target0.info('keyspace')),
      ]);
      for (const db of [...dbs].sort((a, b) => a - b)) {
        const source = db === 0 ? source0 : connect(db, false);
        const target = db === 0 ? target0 : connect(db, true);
        await removeKeysNotIn(target, source);
        await copyKeys(source, target);
      }
    } catch (err) {
      if (err instanceof RestoreFailedError) throw err;
      throw new RestoreFailedError(`redis restore failed: ${(err as Error).message}`);
    } finally {
      for (const c of clients) c.disconnect();
      if (server && server.exitCode === null) {
        server.kill('SIGKILL');
        await once(server, 'exit').catch(() => undefined);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A redis-server that serves the snapshot `dump.rdb` in `dir` on a unix socket only; as the
 * `redis` user when the worker runs as root (a snapshot from outside is never parsed as root).
 */
async function startSnapshotServer(dir: string, socket: string): Promise<ChildProcess> {
  const owner = serverUser('redis', 'Redis');
  if (owner) {
    for (const path of [dir, join(dir, 'dump.rdb')]) chownSync(path, owner.uid, owner.gid);
  }
  const server = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--dbfilename',
      'dump.rdb',
      '--save',
      '',
      '--appendonly',
      'no',
      // the snapshot came from outside: check every value's encoding fully while loading it
      '--sanitize-dump-payload',
      'yes',
    ],
    {
      env: baseEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    },
  );
  recordServer(dir, server.pid);
  let output = '';
  server.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  server.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  const exited = once(server, 'exit').then(() => {
    throw new RestoreFailedError(
      `the snapshot could not be loaded: ${
        output
          .split('\n')
          .filter((l) => /#|error/i.test(l))
          .slice(-2)
          .join(' ')
          .trim() || 'redis-server stopped'
      }`,
    );
  });
  const ready = (async () => {
    const probe = new IORedis({
      path: socket,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      try {
        await probe.connect();
        // the snapshot is loaded before the server answers anything but LOADING errors
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new RestoreFailedError('the private redis-server holding the snapshot did not start');
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (err) {
    if (server.exitCode === null) server.kill('SIGKILL');
    throw err;
  }
  exited.catch(() => undefined);
  return server;
}

/** The logical databases that INFO keyspace lists (those holding keys). */
function keyspaceDbs(info: string): number[] {
  return [...info.matchAll(/^db(\d+):/gm)].map((m) => Number(m[1]));
}

async function removeKeysNotIn(target: IORedis, source: IORedis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await target.scanBuffer(cursor, 'COUNT', BATCH);
    cursor = String(next);
    if (keys.length === 0) continue;
    const present = await source.pipeline(keys.map((k) => ['exists', k])).exec();
    const gone = keys.filter((_, i) => present?.[i]?.[1] === 0);
    if (gone.length > 0) await target.del(...gone);
  } while (cursor !== '0');
}

async function copyKeys(source: IORedis, target: IORedis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await source.scanBuffer(cursor, 'COUNT', BATCH);
    cursor = String(next);
    if (keys.length === 0) continue;
    const read = source.pipeline();
    for (const k of keys) read.dumpBuffer(k).pttl(k);
    const values = (await read.exec()) ?? [];
    const write = target.pipeline();
    keys.forEach((k, i) => {
      const dumped = values[2 * i]?.[1] as Buffer | null;
      const ttl = values[2 * i + 1]?.[1] as number;
      if (dumped === null || ttl === -2) return; // expired meanwhile
      write.restore(k, ttl > 0 ? ttl : 0, dumped, 'REPLACE');
    });
    for (const [err] of (await write.exec()) ?? []) if (err) throw err;
  } while (cursor !== '0');
}

/**
 * Whether an RDB file holds a database section: after `REDIS<4 digits>`, auxiliary fields
 * (0xFA, two strings) come until the first SELECTDB (0xFE, some data) or EOF (0xFF, none).
 * Undefined when its head holds something else first (a module's or a function's data).
 */
export function rdbHoldsData(file: string): boolean | undefined {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(64 * 1024);
  const size = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  let pos = 9;
  // a length-prefixed string: the prefix's top two bits say how the length is written
  const skipString = (): boolean => {
    const first = head[pos];
    if (first === undefined) return false;
    const kind = first >> 6;
    if (kind === 0) pos += 1 + (first & 0x3f);
    else if (kind === 1) pos += 2 + (((first & 0x3f) << 8) | head[pos + 1]);
    else if (first === 0x80) pos += 5 + head.readUInt32BE(pos + 1);
    else if (first === 0x81) pos += 9 + Number(head.readBigUInt64BE(pos + 1));
    else if (first === 0xc0)
      pos += 2; // an integer as 8, 16 or 32 bits
    else if (first === 0xc1) pos += 3;
    else if (first === 0xc2) pos += 5;
    else return false; // compressed or unknown: not expected in auxiliary fields
    return pos <= size;
  };
  while (pos < size) {
    const opcode = head[pos];
    if (opcode === 0xfe) return true;
    if (opcode === 0xff) return false;
    if (opcode !== 0xfa) return undefined;
    pos += 1;
    if (!skipString() || !skipString()) return undefined;
  }
  return undefined;
}
