import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { OPENAPI_FILE, renderOpenApi } from '../../../scripts/openapi';

type Operation = { responses: Record<string, unknown>; security?: unknown[] };

describe('the OpenAPI document', () => {
  let generated: string;
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    generated = await renderOpenApi();
    doc = JSON.parse(generated) as typeof doc;
  });

  it('is the committed docs/openapi.json (run `npm run openapi` after changing a route or a field)', () => {
    expect(generated).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
  });

  it('is what the dashboard is typed with (run `npm run openapi`)', () => {
    // the generator is an ES module: it checks the file in a process of its own
    const check = () =>
      execFileSync(
        process.execPath,
        [join(__dirname, '../../../scripts/web-types.mjs'), '--check'],
        {
          stdio: 'pipe',
        },
      );
    expect(check).not.toThrow();
  });

  it('describes every public, restore and admin route with its status codes', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        route: `${method.toUpperCase()} ${path}`,
        statuses: Object.keys(op.responses),
        secured: (op.security ?? []).length > 0,
      })),
    );
    const statuses = (route: string) => routes.find((r) => r.route === route)?.statuses;
    expect(statuses('GET /v1/instances/{instance_id}/backups')).toEqual(
      expect.arrayContaining(['200', '401', '403', '404']),
    );
    expect(statuses('POST /v1/instances/{instance_id}/backups')).toEqual(
      expect.arrayContaining(['202', '401', '403', '404', '409', '502', '504']),
    );
    expect(statuses('GET /v1/instances/{instance_id}/backups/{id}/download')).toEqual(
      expect.arrayContaining(['200', '206', '401', '403', '412', '416']),
    );
    expect(statuses('PATCH /v1/instances/{instance_id}/backups-config')).toEqual(
      expect.arrayContaining(['200', '401', '403', '404', '422']),
    );
    expect(statuses('POST /v1/instances/{instance_id}/restores')).toEqual(
      expect.arrayContaining(['202', '409', '422']),
    );
    expect(statuses('GET /admin/v1/backups')).toEqual(expect.arrayContaining(['200', '401']));
    for (const r of routes.filter((r) => /^\w+ \/(v1|admin)\//.test(r.route))) {
      expect({ route: r.route, secured: r.secured }).toEqual({ route: r.route, secured: true });
    }
  });

  it('lists on every operation what the HTTP layer answers for any route, and /metrics', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect({ route: `${method} ${path}`, statuses: Object.keys(op.responses) }).toEqual({
          route: `${method} ${path}`,
          statuses: expect.arrayContaining(['400', '405', '413', '415', '431']),
        });
      }
    }
    expect(doc.paths['/metrics']).toBeDefined();
  });

  it('describes tokens as opaque, and request bodies as strictly as they are validated', () => {
    const full = JSON.parse(generated) as {
      components: {
        securitySchemes: Record<string, { bearerFormat?: string }>;
        schemas: Record<string, { additionalProperties?: boolean; minProperties?: number }>;
      };
    };
    for (const scheme of Object.values(full.components.securitySchemes)) {
      expect(scheme.bearerFormat).not.toBe('JWT');
    }
    expect(full.components.schemas.UpdateBackupsConfigDto).toMatchObject({
      additionalProperties: false,
      minProperties: 1,
    });
    expect(full.components.schemas.RegisterInstanceDto.additionalProperties).toBe(false);
  });
});
