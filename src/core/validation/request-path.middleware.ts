import type { NextFunction, Request, Response } from 'express';
import { InvalidRequestPathError } from '../errors/domain-errors';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses, before routing, a path that no route could take: malformed percent-encoding, or a
 * NUL or other control character once decoded (PostgreSQL text cannot hold NUL; no id of ours
 * contains a control character), and a query whose names or values hold one. Without this,
 * such a value reached the database and failed there.
 */
export function requestPathCheck(req: Request, _res: Response, next: NextFunction): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    next(new InvalidRequestPathError('The request path is not validly percent-encoded.'));
    return;
  }
  if (CONTROL.test(decoded)) {
    next(new InvalidRequestPathError('The request path contains a control character.'));
    return;
  }
  const query = req.originalUrl.indexOf('?');
  if (query >= 0) {
    for (const [name, value] of new URLSearchParams(req.originalUrl.slice(query + 1))) {
      if (CONTROL.test(name) || CONTROL.test(value)) {
        next(
          new InvalidRequestPathError(
            `The query parameter ${JSON.stringify(name)} contains a control character.`,
          ),
        );
        return;
      }
    }
  }
  next();
}
