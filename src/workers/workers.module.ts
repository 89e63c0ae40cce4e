import { Module } from '@nestjs/common';
import { WorkerPresence } from './worker-presence.service';
import { WorkersController } from './workers.controller';
import { WorkersRepository } from './workers.repository';

/** The API's view of the worker processes (admin route, readiness). */
@Module({
  controllers: [WorkersController],
  providers: [WorkersRepository],
  exports: [WorkersRepository],
})
export class WorkersModule {}

/** A worker process reporting itself; the processors tell it when they take a job. */
@Module({
  providers: [WorkersRepository, WorkerPresence],
  exports: [WorkerPresence],
})
export class WorkerPresenceModule {}
