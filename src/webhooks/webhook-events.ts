/** What a webhook can be told about: a backup or restore that ended. */
export const WEBHOOK_EVENTS = [
  'backup.done',
  'backup.failed',
  'restore.done',
  'restore.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
