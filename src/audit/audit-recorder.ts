import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { actorOf } from '../core/auth/actor';
import type { AuditRepository, NewAuditRecord } from './audit.repository';

/** The methods that change state: each request with one of them is recorded. */
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The path parameters that name the instance a request acts on, by API. */
const INSTANCE_PARAMS = ['instance_id', 'iid'];
/** How much of an unmatched path is kept (it is the caller's text, not ours). */
const MAX_PATH = 200;

/**
 * Records every state-changing request once it is answered: who (the actor its guard
 * recognised), what (the method and route), on which instance, the request id, the client's
 * address and the status. Never a body, a header, or a query: no secret passes through here.
 * Writing the record never fails or delays the request; a record that cannot be written is
 * logged as lost.
 */
export function auditRecorder(audit: AuditRepository, logger: LoggerService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (CHANGES.has(req.method)) {
      res.on('finish', () => {
        const record = auditRecordOf(req, res);
        audit.insert(record).catch((err: Error) => {
          logger.warn({
            msg: 'audit record lost',
            action: record.action,
            status: record.status,
            requestId: record.requestId,
            error: err.message,
          });
        });
      });
    }
    next();
  };
}

/** What the audit log keeps of an answered request. */
export function auditRecordOf(req: Request, res: Response): NewAuditRecord {
  const route = (req.route as { path?: string } | undefined)?.path;
  const params = (route ? req.params : {}) as Record<string, string | undefined>;
  const adminInstance = route?.startsWith('/admin/v1/instances/:id') ? params.id : undefined;
  const instanceParam = INSTANCE_PARAMS.find((p) => params[p] !== undefined);
  const instanceId = instanceParam ? params[instanceParam] : adminInstance;
  const others = Object.entries(params).filter(
    ([name, value]) =>
      value !== undefined &&
      name !== instanceParam &&
      !(adminInstance !== undefined && name === 'id'),
  );
  const actor = actorOf(req);
  return {
    actor: actor?.kind ?? 'anonymous',
    tokenId: actor?.kind === 'token' ? actor.tokenId : null,
    tokenName: actor?.kind === 'token' ? actor.tokenName : null,
    action: `${req.method} ${route ? `${req.baseUrl}${route}` : req.path.slice(0, MAX_PATH)}`,
    instanceId: instanceId?.slice(0, 255) ?? null,
    target: others.length
      ? others
          .map(([n, v]) => `${n}=${v}`)
          .join(',')
          .slice(0, 255)
      : null,
    requestId: String(res.getHeader('X-Request-Id') ?? ''),
    clientAddress: req.ip ?? req.socket.remoteAddress ?? '',
    status: res.statusCode,
  };
}
