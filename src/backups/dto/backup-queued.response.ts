export interface BackupQueuedResponse {
  id: number;
  message: 'job to backup is queued';
}
