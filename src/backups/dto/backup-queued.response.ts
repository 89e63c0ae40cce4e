import { ApiProperty } from '@nestjs/swagger';

export class BackupQueuedResponse {
  @ApiProperty({ description: 'The internal ID of the backup within the Service Instance.' })
  id!: number;

  @ApiProperty({ description: 'The status of the task.', example: 'job to backup is queued' })
  message!: 'job to backup is queued';
}
