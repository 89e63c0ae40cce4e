import type { NextFunction, Request, Response } from 'express';
import { InvalidRequestPathError } from '../errors/domain-errors';

/**
 * Refuses, before routing, a path that no route could take: malformed percent-encoding, or a
 * NUL or other control character once decoded (PostgreSQL text cannot hold NUL; no id of ours
 * contains a control character). Without this, such an id reached the database and failed there.
 */
export function requestPathCheck(req: Request, _res: Response, next: NextFunction): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    next(new InvalidRequestPathError('The request path is not validly percent-encoded.'));
    return;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded)) {
    next(new InvalidRequestPathError('The request path contains a control character.'));
    return;
  }
  next();
}
