import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'bmt_';

/** A new access token: 256 random bits, recognisable by its prefix in secret scanners. */
export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Tokens are stored only as their SHA-256. A fast hash is enough: the tokens carry 256 random
 * bits, so there is nothing to brute-force, and lookups stay one indexed query.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
