import type { Socket } from 'node:net';
import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { AllExceptionsFilter } from './core/errors/all-exceptions.filter';
import { requestLogger } from './core/logging/request-logger.middleware';
import { requestId } from './core/logging/request-context';
import { allowedMethods } from './core/errors/allowed-methods';
import { answerClientError } from './core/errors/client-error';
import { DOWNLOAD_PATH, downloadErrorBody } from './downloads/download-error.filter';
import {
  BACKUP_MANAGER_PATH,
  backupManagerErrorBody,
} from './backup-manager/backup-manager.errors';
import { JsonBodyPipe } from './core/validation/json-body.pipe';
import { requestPathCheck } from './core/validation/request-path.middleware';
import { jsonBodyParser } from './core/validation/json-body-parser';
import { httpMetrics } from './metrics/http-metrics';
import { MetricsRegistry } from './metrics/metrics-registry';
import { serveOpenApi } from './core/openapi/openapi-document';

/**
 * Builds the HTTP application exactly as production runs it; the end-to-end tests call this
 * too, so what they check is what ships.
 */
export async function createApp(
  config: AppConfig,
  logger: LoggerService | false,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: logger === false ? false : logger,
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestId);
  app.use(requestLogger);
  app.use(httpMetrics(app.get(MetricsRegistry)));
  app.use(requestPathCheck);
  app.use(jsonBodyParser());
  const express = app.getHttpAdapter().getInstance() as unknown as {
    router?: Parameters<typeof allowedMethods>[0];
  };
  // routes whose documented error body differs from the public one
  const bodyFor = (path: string) =>
    DOWNLOAD_PATH.test(path)
      ? downloadErrorBody
      : BACKUP_MANAGER_PATH.test(path)
        ? backupManagerErrorBody(path)
        : undefined;
  app.useGlobalFilters(
    new AllExceptionsFilter((path) => allowedMethods(express.router, path), bodyFor),
  );
  // what Node's HTTP parser refuses (bad header bytes, oversized headers) still gets our body
  app
    .getHttpServer()
    .on('clientError', (err: Error, socket: Socket) => answerClientError(err, socket, bodyFor));
  app.useGlobalPipes(new JsonBodyPipe());
  serveOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
