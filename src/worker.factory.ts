import { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from './core/config/app-config';
import { WorkerModule } from './worker.module';

/** Builds the worker exactly as production runs it; tests run it in-process through this. */
export async function createWorker(
  config: AppConfig,
  logger: LoggerService | false,
): Promise<INestApplicationContext> {
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger,
  });
  // SIGTERM closes the BullMQ worker, which lets running jobs finish first
  worker.enableShutdownHooks();
  await worker.init();
  return worker;
}
