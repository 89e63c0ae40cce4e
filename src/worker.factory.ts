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
  // SIGTERM closes the BullMQ worker, which lets running jobs finish first
  worker.enableShutdownHooks();
  await worker.init();
  return worker;
}
