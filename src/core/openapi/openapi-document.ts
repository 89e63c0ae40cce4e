import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  ADMIN_AUTH,
  BACKUP_MANAGER_AUTH,
  METRICS_AUTH,
  PUBLIC_AUTH,
  THROTTLED_AUTH,
  THROTTLED_ERRORS,
  TRANSPORT_ERRORS,
} from './api-errors';

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
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'An access token minted by an operator (an opaque string, not a JWT).',
      },
      PUBLIC_AUTH,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'The platform’s ADMIN_TOKEN (an opaque string).',
      },
      ADMIN_AUTH,
    )
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description: 'BACKUP_MANAGER_USERNAME and BACKUP_MANAGER_PASSWORD.',
      },
      BACKUP_MANAGER_AUTH,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'METRICS_TOKEN, or the ADMIN_TOKEN.',
      },
      METRICS_AUTH,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
  addTransportErrors(document);
  strictRequestBodies(document);
  return document;
}

type Operation = {
  security?: Array<Record<string, unknown>>;
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, { description: string; content?: object } | { $ref: string }>;
};

/**
 * The statuses the HTTP layer answers for any route (TRANSPORT_ERRORS), on every operation,
 * with the body the route's own errors have; each is described once under
 * `components.responses` and referred to.
 */
function addTransportErrors(document: OpenAPIObject): void {
  const shared = ((document.components ??= {}).responses ??= {});
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, Operation>)) {
      if (typeof operation !== 'object' || !operation.responses) continue;
      // the body this operation's own errors are documented with
      const own = Object.entries(operation.responses).find(([status]) => /^4/.test(status));
      const ownContent = own && 'content' in own[1] ? own[1].content : undefined;
      const content = (ownContent ?? {
        'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } },
      }) as Record<string, { schema: { $ref: string } }>;
      const body = content['application/json'].schema.$ref.split('/').pop()!;
      // a scheme whose failures are held back per address answers 429 before the route runs
      const throttled = operation.security?.some((s) => THROTTLED_AUTH.some((name) => name in s));
      const statuses = { ...TRANSPORT_ERRORS, ...(throttled ? THROTTLED_ERRORS : {}) };
      for (const [status, { description }] of Object.entries(statuses)) {
        const name = `${body.replace(/Dto$/, '')}${status}`;
        shared[name] ??= { description, content };
        operation.responses[status] ??= { $ref: `#/components/responses/${name}` };
      }
    }
  }
}

/**
 * Request bodies exactly as strict as their validation: no field but the documented ones, and
 * a body whose fields are all optional (an update) must set at least one.
 */
function strictRequestBodies(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<
    string,
    { required?: string[]; additionalProperties?: boolean; minProperties?: number }
  >;
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, Operation>)) {
      const ref = operation?.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? schemas[ref.split('/').pop()!] : undefined;
      if (!schema) continue;
      schema.additionalProperties = false;
      if (!schema.required?.length) schema.minProperties = 1;
    }
  }
}

/** Serves the document at /docs/openapi.json and a browsable UI at /docs. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    raw: ['json'],
  });
}
