import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/core/config/app-config';
import { buildOpenApiDocument } from '../src/core/openapi/openapi-document';

/** The committed OpenAPI document; a test regenerates it and fails when it drifted. */
export const OPENAPI_FILE = join(__dirname, '..', 'docs', 'openapi.json');

/** The document as the code describes it, in the committed file's formatting. */
export async function renderOpenApi(): Promise<string> {
  const config = AppConfig.fromEnvironment({
    NODE_ENV: 'test',
    ADMIN_TOKEN: 'openapi-document-only',
    MASTER_KEY: '0'.repeat(64),
    BACKUP_MANAGER_PASSWORD: 'openapi-document-only',
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config, false);
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  void (async () => {
    const text = await renderOpenApi();
    writeFileSync(OPENAPI_FILE, text);
    console.log(`wrote ${OPENAPI_FILE}`);
    // the dashboard's types follow the document
    execFileSync(process.execPath, [join(__dirname, 'web-types.mjs')], { stdio: 'inherit' });
  })();
}
