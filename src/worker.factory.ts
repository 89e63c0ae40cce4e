import { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from './core/config/app-config';
import { Clock } from './core/clock/clock';
import { WorkerModule } from './worker.module';

/** Builds the worker exactly as production runs it; tests run it in-process through this. */
export async function createWorker(
  config: AppConfig,
  logger: LoggerService | false,
  clock?: Clock,
): Promise<INestApplicationContext> {
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, clock), {
    logger,
  });
  // SIGTERM closes the BullMQ worker, which lets running jobs finish first; a drained worker
  // then exits 0, rather than raising the signal again at itself (Nest's default), which ended
  // a clean stop as killed by SIGINT/SIGTERM once the queue connections had closed in time
  worker.enableShutdownHooks(undefined, { useProcessExit: true });
  await worker.init();
  return worker;
}
