import express from 'express';
import type { NextFunction, Request, Response } from 'express';

/** Stands in for a body that was not valid JSON, so the route can refuse it after auth ran. */
export const MALFORMED_JSON = Symbol('malformed JSON body');

/**
 * Parses JSON bodies. A body that does not parse is not answered here: it is marked, and the
 * body pipe answers 422 once the guards have had their say (an unauthenticated caller gets
 * 401 whatever it sent).
 */
export function jsonBodyParser(limit = '100kb') {
  const parse = express.json({ limit, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.parse.failed') {
        req.body = MALFORMED_JSON;
        next();
        return;
      }
      next(err);
    });
  };
}
