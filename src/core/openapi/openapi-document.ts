import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_AUTH, PUBLIC_AUTH } from './api-errors';

/** The OpenAPI document of the HTTP service, built from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('backup-manager')
    .setDescription(
      'Backups of PostgreSQL, MariaDB and Redis instances. The public API (`/v1`) is the backup ' +
        'part of the a9s Public API V1 plus restores; the admin API (`/admin/v1`) is for ' +
        'platform operators. See docs/public-api.md for the contract in prose.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An access token minted by an operator.' },
      PUBLIC_AUTH,
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'The platform’s ADMIN_TOKEN.' },
      ADMIN_AUTH,
    )
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description: 'BACKUP_MANAGER_USERNAME and BACKUP_MANAGER_PASSWORD.',
      },
      'backup-manager',
    )
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

/** Serves the document at /docs/openapi.json and a browsable UI at /docs. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    raw: ['json'],
  });
}
