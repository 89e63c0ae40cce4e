import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JobsModule } from '../jobs/jobs.module';
import { StorageModule } from '../storage/storage.module';
import { WorkersModule } from '../workers/workers.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), JobsModule, StorageModule, WorkersModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
