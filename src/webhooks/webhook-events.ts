/**
 * What a webhook can be told about: a backup or restore that ended, a verification that failed,
 * a gap in a WAL archive, and a WAL receiver that stopped working.
 */
export const WEBHOOK_EVENTS = [
  'backup.done',
  'backup.failed',
  'restore.done',
  'restore.failed',
  'verification.failed',
  'wal.gap',
  'wal.receiver_failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
