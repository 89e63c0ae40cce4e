import type { Request } from 'express';

/**
 * The token of an `Authorization: Bearer <token>` header, or null when the header is missing or
 * malformed. The scheme is case-insensitive: `cf oauth-token` prints `bearer …`.
 */
export function bearerToken(req: Request): string | null {
  return bearerOf(req.headers.authorization);
}

/** The token of an `Authorization` header's value (bearerToken), or null. */
export function bearerOf(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match ? match[1] : null;
}
