import { Module } from '@nestjs/common';
import { WorkersDataModule } from './workers-data.module';
import { WorkerPresence } from './worker-presence.service';
import { WorkersController } from './workers.controller';

/** The API's view of the worker processes (admin route, readiness). */
@Module({
  imports: [WorkersDataModule],
  controllers: [WorkersController],
  exports: [WorkersDataModule],
})
export class WorkersModule {}

/** A worker process reporting itself; the processors tell it when they take a job. */
@Module({
  imports: [WorkersDataModule],
  providers: [WorkerPresence],
  exports: [WorkerPresence],
})
export class WorkerPresenceModule {}
