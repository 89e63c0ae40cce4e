import { Module } from '@nestjs/common';
import { JobEnqueuer } from './job-enqueuer';

/** The API's access to the job queue (enqueue only). */
@Module({ providers: [JobEnqueuer], exports: [JobEnqueuer] })
export class JobsModule {}
