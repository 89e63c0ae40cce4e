import { isUtf8 } from 'node:buffer';
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
  const parse = express.json({
    limit,
    strict: true,
    // before parsing: the decoder would replace invalid bytes with U+FFFD, and a key stored
    // that way would not open the backups its owner encrypts with the real one
    verify: (req, _res, raw) => {
      if (!isUtf8(raw)) throw new RefusedBytes('The request body is not valid UTF-8.');
      const twice = duplicateKey(raw.toString('utf8'));
      if (twice !== null) {
        throw new RefusedBytes(
          `The request body names "${twice.slice(0, 100)}" twice; send each field once.`,
        );
      }
    },
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    parse(req, res, (err?: unknown) => {
      const type = (err as { type?: string } | undefined)?.type;
      if (type === 'entity.parse.failed') {
        req.body = new RejectedBody('The request body is not valid JSON.');
        next();
        return;
      }
      if (type === 'entity.verify.failed') {
        req.body = new RejectedBody(
          (err as { message?: string }).message ?? 'The request body was refused.',
        );
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

/** Thrown by the parser's verify step; its message is the one the client reads. */
class RefusedBytes extends Error {}

/**
 * The first key that occurs twice in one object of a JSON text, or null. JSON.parse keeps the
 * last silently; a client that sends two `encryption_key`s should hear which one we took, and
 * the only safe answer is neither. A scan of the text (strings, braces, brackets, colons) that
 * assumes the text is valid JSON, which the parser checks anyway.
 */
export function duplicateKey(text: string): string | null {
  // per open container: the keys of an object, or null for an array
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      // a key: a string in an object followed by a colon
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      if (top && text[k] === ':') {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return null; // not valid JSON: the parser says so
        }
        if (top.has(key)) return key;
        top.add(key);
      }
      i = j + 1;
    } else {
      if (c === '{') stack.push(new Set());
      else if (c === '[') stack.push(null);
      else if (c === '}' || c === ']') stack.pop();
      i++;
    }
  }
  return null;
}
