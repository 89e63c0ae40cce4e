import { Module } from '@nestjs/common';
import { BackupQueue } from './backup-queue';

/** The API's access to the job queue (enqueue only). */
@Module({ providers: [BackupQueue], exports: [BackupQueue] })
export class JobsModule {}
