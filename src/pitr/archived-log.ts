import { closeSync, createWriteStream, existsSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { readArchive } from '../archive/read-archive';
import { microsText } from '../core/validation/moment';
import { EncryptionKeysRepository } from '../crypto/encryption-keys.repository';
import { BINLOG_FILE_SPAN } from '../engines/mariadb/binlog';
import type { RecoveryOptions } from '../engines/shared/dump-engine';
import { RestoreFailedError } from '../engines/shared/restore-process';
import type { Backup } from '../generated/prisma/client';
import { STORAGE_DRIVER, StorageDriver } from '../storage/storage-driver';
import { storedSha256 } from '../storage/stored-archive';
import { lsnText, lsnValue } from '../wal/lsn';
import { PitrRepository, WalToReplay } from './pitr.repository';

/**
 * The archived log (PostgreSQL's WAL, MariaDB's binlog) a base backup is brought forward with:
 * which pieces, and fetching them, each decrypted and checked against its recorded SHA-256
 * before a server sees any.
 */
@Injectable()
export class ArchivedLog {
  constructor(
    private readonly pitr: PitrRepository,
    private readonly keys: EncryptionKeysRepository,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
  ) {}

  /**
   * A point-in-time restore: the archived pieces from the start of the base backup's first
   * segment (binlog file) on, up to the first piece with a commit after the moment (the
   * recovery stops before that commit), RestoreFailedError when the log before it is missing.
   * Commit times are compared to the microsecond: without such a piece every stored commit is
   * at or before the moment, and a PostgreSQL recovery replays all (it refuses a target time
   * that the WAL it is given never reaches); binlog replay stops at the moment's second all the
   * same.
   */
  async toMoment(
    instanceId: string,
    backup: Backup,
    moment: Date,
    micros: bigint,
  ): Promise<RecoveryOptions> {
    if (!backup.walStartLsn) {
      throw new RestoreFailedError(
        `backup ${backup.number} is not a base backup: no write-ahead log can be replayed on it`,
      );
    }
    // from the start of the segment the backup's WAL starts in: PostgreSQL checks the first
    // page of every segment it opens
    const pieces = await this.pitr.walFrom(instanceId, backup.walStartLsn);
    const start = lsnValue(backup.walStartLsn);
    const size = BigInt(pieces[0]?.segmentSize ?? 16 * 1024 * 1024);
    let expected = lsnText(start - (start % size));
    const needed: WalToReplay[] = [];
    let reached = false;
    for (const piece of pieces) {
      if (lsnValue(piece.startLsn) > lsnValue(expected)) {
        // a gap after the stretch the moment lies in: everything up to it is replayed
        if (await this.stretchReaches(instanceId, backup.walStartLsn, moment)) break;
        throw new RestoreFailedError(
          `the write-ahead log from ${expected} on is missing from storage (the next archived piece is of segment ${piece.segment}): the instance cannot be brought to ${moment.toISOString()}, and nothing was restored`,
        );
      }
      needed.push(piece);
      if (lsnValue(piece.endLsn) > lsnValue(expected)) expected = piece.endLsn;
      if (piece.newestCommitMicros !== null && BigInt(piece.newestCommitMicros) > micros) {
        reached = true;
        break;
      }
    }
    // binlog replay stops at the moment's second even when no stored piece reaches it: a commit
    // of that second may be after the moment
    const binlog = (pieces[0]?.segmentSize ?? 0) >= BINLOG_FILE_SPAN;
    return {
      targetTime: reached || binlog ? microsText(micros) : undefined,
      fetchWal: (dir) => this.fetch(needed, dir),
    };
  }

  /**
   * The whole unbroken stretch of archived log from the base backup on (its verification
   * replays it); null when nothing of it is stored yet.
   */
  async toEnd(instanceId: string, backup: Backup): Promise<RecoveryOptions | null> {
    if (!backup.walStartLsn) return null;
    const pieces = await this.pitr.walFrom(instanceId, backup.walStartLsn);
    const start = lsnValue(backup.walStartLsn);
    const size = BigInt(pieces[0]?.segmentSize ?? 16 * 1024 * 1024);
    let expected = start - (start % size);
    const needed: WalToReplay[] = [];
    for (const piece of pieces) {
      if (lsnValue(piece.startLsn) > expected) break;
      needed.push(piece);
      if (lsnValue(piece.endLsn) > expected) expected = lsnValue(piece.endLsn);
    }
    if (needed.length === 0) return null;
    return { fetchWal: (dir) => this.fetch(needed, dir) };
  }

  /** Whether the stretch of stored WAL that holds `walStart` shows `moment` (its range's end). */
  private async stretchReaches(
    instanceId: string,
    walStart: string,
    moment: Date,
  ): Promise<boolean> {
    const at = lsnValue(walStart);
    const range = (await this.pitr.ranges(instanceId)).find(
      (r) => lsnValue(r.fromLsn) <= at && at <= lsnValue(r.toLsn),
    );
    return range?.end != null && moment <= range.end;
  }

  /**
   * Writes each piece at its offset in its segment's file (MariaDB: its binlog file), which
   * starts as the segment's size in zeros: a segment still being written when its last piece was
   * shipped reads as WAL that ends there, as PostgreSQL's own preallocated files do.
   */
  private async fetch(pieces: WalToReplay[], dir: string): Promise<void> {
    const passphrases = new Map<string, string>();
    for (const piece of pieces) {
      let passphrase = passphrases.get(piece.encryptionKeyId);
      if (passphrase === undefined) {
        passphrase = await this.keys.passphrase(piece.encryptionKeyId);
        passphrases.set(piece.encryptionKeyId, passphrase);
      }
      const path = join(dir, piece.segment);
      const binlog = piece.segmentSize >= BINLOG_FILE_SPAN;
      if (!existsSync(path)) {
        const fd = openSync(path, 'w', 0o600);
        // a binlog file is as long as its pieces
        if (!binlog) ftruncateSync(fd, piece.segmentSize);
        closeSync(fd);
      }
      const offset = Number(lsnValue(piece.startLsn) % BigInt(piece.segmentSize));
      const damaged = new RestoreFailedError(
        `${binlog ? 'binlog' : 'WAL'} piece ${piece.storageKey} (${binlog ? 'file' : 'segment'} ${piece.segment} from byte ${offset}) is damaged: its checksum does not match the SHA-256 recorded when it was archived, so it was changed in storage; nothing was restored`,
      );
      try {
        await readArchive({
          copy: async (sink) => {
            const reader = await this.storage.openRange(piece.storageKey, {
              start: 0,
              end: Number(piece.size) - 1,
            });
            await reader.copyTo(sink);
          },
          passphrase,
          consume: async (content, sha256) => {
            await pipeline(content, createWriteStream(path, { flags: 'r+', start: offset }));
            if (sha256() !== piece.sha256) throw damaged;
          },
        });
      } catch (err) {
        if (err === damaged) throw err;
        // a damaged piece mostly stops decryption or gunzip before its end: name the damage, as
        // for archives, when the stored bytes are not those recorded
        const digest = await storedSha256(this.storage, piece).catch(() => undefined);
        if (digest !== undefined && digest !== piece.sha256) throw damaged;
        throw new RestoreFailedError(
          `${binlog ? 'binlog file' : 'WAL segment'} ${piece.segment} (from byte ${offset}) could not be read from storage (${(err as Error).message}), and nothing was restored`,
        );
      }
    }
  }
}
