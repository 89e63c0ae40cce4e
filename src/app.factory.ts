import type { Socket } from 'node:net';
import { INestApplication, Logger, LoggerService } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { auditRecorder } from './audit/audit-recorder';
import { AuditRepository } from './audit/audit.repository';
import { AppConfig } from './core/config/app-config';
import { AllExceptionsFilter } from './core/errors/all-exceptions.filter';
import { requestLogger } from './core/logging/request-logger.middleware';
import { requestId } from './core/logging/request-context';
import { allowedMethods } from './core/errors/allowed-methods';
import { answerClientError } from './core/errors/client-error';
import { errorAnswersByPath } from './core/errors/error-answer';
import { JsonBodyPipe } from './core/validation/json-body.pipe';
import { requestPathCheck } from './core/validation/request-path.middleware';
import { jsonBodyParser } from './core/validation/json-body-parser';
import { httpMetrics } from './metrics/http-metrics';
import { MetricsRegistry } from './metrics/metrics-registry';
import { serveOpenApi } from './core/openapi/openapi-document';
import { serveDashboard } from './dashboard/serve-dashboard';

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
  app.use(auditRecorder(app.get(AuditRepository), new Logger('AuditRecorder')));
  app.use(requestPathCheck);
  app.use(jsonBodyParser());
  const express = app.getHttpAdapter().getInstance() as unknown as {
    router?: Parameters<typeof allowedMethods>[0];
  };
  // the error answers that controllers declare where their routes differ from the public one
  const controllers = [...app.get(ModulesContainer).values()].flatMap((m) =>
    [...m.controllers.values()].map((c) => c.metatype),
  );
  const answerFor = errorAnswersByPath(controllers.filter((c) => c !== null));
  app.useGlobalFilters(
    new AllExceptionsFilter((path) => allowedMethods(express.router, path), answerFor),
  );
  // what Node's HTTP parser refuses (bad header bytes, oversized headers) still gets our body
  app
    .getHttpServer()
    .on('clientError', (err: Error, socket: Socket) => answerClientError(err, socket, answerFor));
  app.useGlobalPipes(new JsonBodyPipe());
  serveOpenApi(app);
  serveDashboard(app);
  app.enableShutdownHooks();
  return app;
}
