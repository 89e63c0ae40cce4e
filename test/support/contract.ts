import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Holds every response a test receives to docs/openapi.json: the status must be listed for the
 * operation, the content type must be one the document gives for it, and a JSON body must match
 * the schema. The document is the contract, and drift in either direction fails the test file
 * that saw it (see startTestApp's close).
 */
interface MediaType {
  schema?: object;
}
interface Operation {
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: object;
}

const doc = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'),
) as Document;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<object, ValidateFunction>();

/** The path templates as regular expressions, most specific (fewest parameters) first. */
const routes = Object.entries(doc.paths)
  .map(([template, operations]) => ({
    template,
    operations,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

export interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string | undefined;
  body: string;
  /** the parsed JSON request body, when there was one */
  request?: unknown;
}

function validator(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: doc.components });
    compiled.set(schema, validate);
  }
  return validate;
}

/** What is wrong with one response, or null when the document describes it (or no operation). */
export function contractViolation(x: Exchange): string | null {
  const route = routes.find((r) => r.pattern.test(x.path));
  const operation = route?.operations[x.method.toLowerCase()];
  // a path or method the document does not have: nothing to hold it to (404 and 405 answers)
  if (!route || !operation) return null;
  const where = `${x.method} ${route.template} → ${x.status}`;
  // a body the service accepted must be one the document allows
  const requestSchema = operation.requestBody?.content?.['application/json']?.schema;
  if (requestSchema && x.status < 300 && x.request !== undefined) {
    const validRequest = validator(requestSchema);
    if (!validRequest(x.request)) {
      return `${where}: accepted a request body the document refuses (${ajv.errorsText(validRequest.errors)})`;
    }
  }
  const listed = operation.responses[String(x.status)] ?? operation.responses.default;
  // a response described once under components.responses
  const ref = (listed as { $ref?: string } | undefined)?.$ref;
  const response = ref
    ? (doc.components as { responses: Record<string, Operation['responses'][string]> }).responses[
        ref.split('/').pop()!
      ]
    : listed;
  if (!response) return `${where}: status not listed`;
  const media = (x.contentType ?? '').split(';')[0].trim();
  const content = response.content ?? {};
  if (x.body.length === 0 && Object.keys(content).length === 0) return null;
  if (!(media in content)) {
    return `${where}: content type "${media}" not listed (${Object.keys(content).join(', ') || 'no body'})`;
  }
  const schema = content[media].schema;
  if (!schema || !media.includes('json')) return null;
  const validate = validator(schema);
  let body: unknown;
  try {
    body = JSON.parse(x.body);
  } catch {
    return `${where}: body is not JSON`;
  }
  if (validate(body)) return null;
  return `${where}: ${ajv.errorsText(validate.errors)} in ${x.body.slice(0, 200)}`;
}

/**
 * Records every response of `server` and checks it against the document; the violations found
 * so far are in the returned array.
 */
export function recordContract(server: Server): string[] {
  const violations: string[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const b = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.from(chunk as Uint8Array);
      // bodies of archives are not read, only their headers
      if (size < 1024 * 1024) chunks.push(b);
      size += b.length;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0]);
      return end(...args);
    }) as typeof res.end;
    res.on('finish', () => {
      const contentType = res.getHeader('content-type');
      const json = String(contentType ?? '').includes('json');
      const found = contractViolation({
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0],
        status: res.statusCode,
        contentType: contentType === undefined ? undefined : String(contentType),
        body: json ? Buffer.concat(chunks).toString('utf8') : size > 0 ? '-' : '',
        // set by the app's JSON parser on the same request object
        request: plainObject((req as { body?: unknown }).body),
      });
      if (found && !violations.includes(found)) violations.push(found);
    });
  });
  return violations;
}

const plainObject = (v: unknown) =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
    ? v
    : undefined;
