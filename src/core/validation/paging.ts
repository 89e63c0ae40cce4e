import type { Request } from 'express';
import { InvalidParametersError } from '../errors/domain-errors';
import { parseRouteNumber } from './route-number';

/** The longest page a list gives at once. */
export const MAX_PAGE = 1000;

/** Optional paging of a list newest first: at most `limit` items, all older than `before`. */
export interface Page {
  limit?: number;
  before?: number;
}

/**
 * Reads `?limit=` and `?before=<id>` (other parameters are ignored, as they always were);
 * without them the whole list is returned, as the a9s API defines it. 422 names a bad one.
 */
export function parsePage(query: Record<string, unknown>): Page {
  const page: Page = {};
  if (query.limit !== undefined) {
    const limit = typeof query.limit === 'string' ? parseRouteNumber(query.limit) : null;
    if (limit === null || limit > MAX_PAGE) {
      throw new InvalidParametersError(
        `Invalid query parameters: limit must be an integer from 1 to ${MAX_PAGE}.`,
      );
    }
    page.limit = limit;
  }
  if (query.before !== undefined) {
    const before = typeof query.before === 'string' ? parseRouteNumber(query.before) : null;
    if (before === null) {
      throw new InvalidParametersError(
        'Invalid query parameters: before must be the positive integer id of an item.',
      );
    }
    page.before = before;
  }
  return page;
}

/** An RFC 8288 `Link` to the next page: the same path and parameters, with a new `before`. */
export function nextPageLink(req: Request, limit: number, before: string | number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query)) {
    if (name !== 'before' && name !== 'limit' && typeof value === 'string') params.set(name, value);
  }
  params.set('limit', String(limit));
  params.set('before', String(before));
  return `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`;
}
