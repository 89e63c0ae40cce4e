import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** What every log line written while serving one request (or running its job) carries. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The request id of the request or job being served here, if any. */
export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

/** A caller's id is kept when it is a plain token; anything else is replaced, never echoed. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes the request id from `X-Request-Id` (or makes one), echoes it in the response, and runs
 * the rest of the request inside its context, so that every log line carries it and the job a
 * request queues carries it to the worker.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  requestContext.run({ requestId: id }, next);
}

/**
 * Runs a queued job's work so that every log line carries the id of the request that queued
 * it (a job queued by no request, such as a scheduled one, carries its own job id).
 */
export function inJobContext<T>(
  job: { id?: string; data: { requestId?: string } },
  work: () => Promise<T>,
): Promise<T> {
  return requestContext.run({ requestId: job.data.requestId ?? job.id ?? '' }, work);
}
