import { SetMetadata } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { RenderedError } from './error-body';

/** A route's own error answer, made from what renderError made of the error (and the error). */
export type ErrorAnswer = (
  rendered: RenderedError,
  err: unknown,
) => { status: number; body: object; headers?: Record<string, string> };

const ERROR_ANSWER = 'backup-manager:error-answer';

/**
 * Declares where a route is declared that its errors are answered otherwise than with
 * `{"error", "description"}`: on a controller, for every path under the controller's own (so a
 * 404 or 405 there too); on a handler, for that route alone, before its controller's.
 */
export const ErrorAnswerOf = (answer: ErrorAnswer) => SetMetadata(ERROR_ANSWER, answer);

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Controller = Function;

/** `:param` segments match one segment of a request path; the rest literally. */
function pattern(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
}

function paths(target: object): string[] {
  const p = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return p === undefined ? [] : Array.isArray(p) ? p : [p];
}

/**
 * The error answers the controllers declare, by request path. Paths, not the matched route,
 * because an error raised before routing (a path the request-path check refuses, a request
 * Node's parser refuses, no route for the method) gets the answer of where it was headed too.
 */
export function errorAnswersByPath(
  controllers: Controller[],
): (path: string) => ErrorAnswer | undefined {
  const routes: Array<{ match: RegExp; answer: ErrorAnswer }> = [];
  const prefixes: Array<{ match: RegExp; answer: ErrorAnswer }> = [];
  for (const controller of controllers) {
    const own = Reflect.getMetadata(ERROR_ANSWER, controller) as ErrorAnswer | undefined;
    for (const base of paths(controller)) {
      if (own) prefixes.push({ match: new RegExp(`^/${pattern(base)}(/|$)`), answer: own });
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const answer = Reflect.getMetadata(ERROR_ANSWER, handler) as ErrorAnswer | undefined;
        if (!answer) continue;
        for (const sub of paths(handler)) {
          const full = pattern(`${base}/${sub}`);
          routes.push({ match: new RegExp(`^/${full}/?$`), answer });
        }
      }
    }
  }
  const all = [...routes, ...prefixes];
  return (path) => all.find((r) => r.match.test(path))?.answer;
}
