import express from 'express';
import type { NextFunction, Request, Response } from 'express';

/** JSON nested deeper than this is refused: no request body of ours needs more than 3. */
export const MAX_JSON_DEPTH = 32;

/**
 * Stands in for a body that cannot be accepted (not valid JSON, a NUL character, nested too
 * deep), so the route can refuse it with 422 after auth ran.
 */
export class RejectedBody {
  constructor(readonly reason: string) {}
}

/**
 * Parses JSON bodies. A body that does not parse, or that no route could take, is not answered
 * here: it is marked, and the body pipe answers 422 once the guards have had their say (an
 * unauthenticated caller gets 401 whatever it sent).
 */
export function jsonBodyParser(limit = '100kb') {
  const parse = express.json({ limit, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.parse.failed') {
        req.body = new RejectedBody('The request body is not valid JSON.');
        next();
        return;
      }
      if (!err && req.body !== undefined) {
        const problem = inspectJson(req.body);
        if (problem) req.body = new RejectedBody(problem);
      }
      if (!err && req.body === undefined && hasBody(req)) {
        // a body the JSON parser did not read because of its declared type
        const type = req.headers['content-type'];
        req.body = new RejectedBody(
          type
            ? `The request body must be JSON sent with "Content-Type: application/json"; it was sent as "${type.slice(0, 100)}".`
            : 'The request body must be JSON sent with "Content-Type: application/json"; the header is missing.',
        );
      }
      next(err);
    });
  };
}

/**
 * What makes a parsed body unacceptable before any validation: strings with NUL characters
 * (PostgreSQL text cannot hold them) and nesting deeper than MAX_JSON_DEPTH (recursive
 * validation would run out of stack). Iterative, so a hostile body cannot overflow it either.
 */
export function inspectJson(value: unknown): string | null {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'The request body contains a NUL character.';
    } else if (typeof v === 'object' && v !== null) {
      if (depth > MAX_JSON_DEPTH)
        return `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`;
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return 'The request body contains a NUL character.';
        stack.push([child, depth + 1]);
      }
    }
  }
  return null;
}

function hasBody(req: Request): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0
  );
}
