import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import type { Backup, EncryptionKeyOrigin } from '../../generated/prisma/client';

/** How a field's value is written in JSON (and so how the SQL renders it). */
export type BackupFieldKind = 'integer' | 'string' | 'status' | 'time' | 'time or null' | 'boolean';

/** One field of the public backup object. */
export interface BackupField {
  name: string;
  kind: BackupFieldKind;
  /** its column in `backups`, or the SQL of its value at read time (`$2` = downloads enabled) */
  column?: string;
  sql?: string;
  /** kept rendered in the row (`json_head`): the leading fields that depend on the row alone */
  stored?: true;
  /** SQL condition under which the field is present at all */
  presentWhen?: string;
  api: ApiPropertyOptions;
}

/**
 * The a9s backup object (docs/public-api.md), field for field and in its order: the one list
 * that the class below (and so the OpenAPI document), the SQL that renders the list and the
 * show (`backup-json.sql.ts`) and the stored rendering (src/database/backup-json.ts, migrated
 * by `npm run db:migration`) follow.
 * Adding a field is one entry here, a generated migration when it is stored, and the medium
 * test that holds what the database renders to this list (test/medium/backup-json).
 */
export const BACKUP_FIELDS: readonly BackupField[] = [
  {
    name: 'id',
    kind: 'integer',
    column: 'number',
    stored: true,
    api: { description: 'The internal ID of the backup within the Service Instance.', example: 3 },
  },
  {
    name: 'backup_id',
    kind: 'string',
    column: 'backup_id',
    stored: true,
    api: {
      description:
        'The ID of the backup within the Backup Manager and the storage itself: `<instance id>-<epoch milliseconds at trigger>`.',
      example: 'pg-1-1618882202898',
    },
  },
  {
    name: 'size',
    kind: 'integer',
    column: 'size',
    stored: true,
    api: { description: 'The size of the backup, in bytes.', example: 2792 },
  },
  {
    name: 'status',
    kind: 'status',
    column: 'status',
    stored: true,
    api: {
      description: 'The status of the task.',
      enum: ['queued', 'running', 'done', 'failed', 'deleted'],
    },
  },
  {
    name: 'triggered_at',
    kind: 'time',
    column: 'triggered_at',
    stored: true,
    api: {
      description: 'The date the task was triggered, in ISO 8601 UTC time.',
      format: 'date-time',
    },
  },
  {
    name: 'started_at',
    kind: 'time or null',
    column: 'started_at',
    stored: true,
    api: {
      description: 'The date the task was picked up for processing, in ISO 8601 UTC time.',
      format: 'date-time',
      type: String,
      nullable: true,
    },
  },
  {
    name: 'finished_at',
    kind: 'time or null',
    column: 'finished_at',
    stored: true,
    api: {
      description:
        'The date on which the status of the task was last changed, in ISO 8601 UTC time.',
      format: 'date-time',
      type: String,
      nullable: true,
    },
  },
  {
    name: 'downloadable',
    kind: 'boolean',
    // whyNotDownloadable() below in SQL; a test holds the two to the same cases
    sql: "$2::boolean AND b.status = 'done' AND k.origin = 'user'",
    api: {
      description:
        'Indicates if the backup can be downloaded: done, encrypted with a key the user set before it was triggered, and downloads enabled.',
    },
  },
  {
    name: 'failure_reason',
    kind: 'string',
    column: 'failure_reason',
    presentWhen: "b.status = 'failed' AND b.failure_reason IS NOT NULL",
    api: {
      required: false,
      description:
        'Only on a failed backup: why it failed, in words safe to show (never a secret).',
      example: 'pg_dump exited with code 1: FATAL: database "shop" does not exist',
    },
  },
];

/** The backup object as a class, for the OpenAPI document: its properties are BACKUP_FIELDS. */
export class BackupResponse {
  [field: string]: string | number | boolean | null | undefined;
}
const TYPE_OF: Record<BackupFieldKind, NumberConstructor | StringConstructor | BooleanConstructor> =
  {
    integer: Number,
    string: String,
    status: String,
    time: String,
    'time or null': String,
    boolean: Boolean,
  };
for (const field of BACKUP_FIELDS) {
  const options = { type: TYPE_OF[field.kind], ...field.api } as ApiPropertyOptions;
  ApiProperty(options)(BackupResponse.prototype, field.name);
}

export type BackupWithKeyOrigin = Backup & { encryptionKey: { origin: EncryptionKeyOrigin } };

/**
 * The one rule of downloads: a backup is downloadable exactly when downloads are enabled, it is
 * done, and it was encrypted with a key the user set before it was triggered (the key is fixed
 * at trigger time). Returns why not, in words for the user, or null when it is downloadable.
 */
export function whyNotDownloadable(
  b: Pick<Backup, 'number' | 'status'> & { encryptionKey: { origin: EncryptionKeyOrigin } },
  downloadsEnabled: boolean,
): string | null {
  if (!downloadsEnabled) return 'Downloads of backups are disabled on this platform.';
  if (b.status !== 'done') {
    return `Backup ${b.number} is ${b.status}; only a done backup can be downloaded.`;
  }
  if (b.encryptionKey.origin !== 'user') {
    return (
      `Backup ${b.number} was made before an encryption key was set, so only the platform can decrypt it; ` +
      'set encryption_key with PATCH backups-config and trigger a new backup to download one.'
    );
  }
  return null;
}
