import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The public number of a backup or restore (`:id` in its routes): a positive 32-bit integer
 * written without sign or leading zeros, so the number prints back as the id the user sent.
 */
export function parseRouteNumber(raw: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 2147483647 ? n : null;
}

type NotFound = new (instanceId: string, rawId: string) => Error;

/**
 * `@RouteNumber(BackupNotFoundError)`: the route's `:id` as a number, validated before the
 * handler runs. An id that cannot name anything gets the same "not found" error as an id that
 * names nothing.
 */
export const RouteNumber = createParamDecorator(
  (NotFound: NotFound, ctx: ExecutionContext): number => {
    const params = ctx.switchToHttp().getRequest<Request>().params;
    const raw = String(params.id);
    const number = parseRouteNumber(raw);
    // the public routes name the instance :instance_id, the Backup Manager's :iid
    if (number === null) throw new NotFound(String(params.instance_id ?? params.iid), raw);
    return number;
  },
);
