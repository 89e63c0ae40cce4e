import { HttpException, HttpStatus } from '@nestjs/common';
import { isDatabaseUnavailable } from '../prisma/prisma-errors';
import { DomainError } from './domain-errors';

/** Seconds a client is asked to wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** The error body of docs/public-api.md: one CamelCase word and a sentence for a person. */
export interface ErrorBody {
  error: string;
  description: string;
}

export interface RenderedError {
  status: number;
  body: ErrorBody;
  /** true when the cause is ours (a bug or an outage), to be logged with its stack */
  unexpected: boolean;
  /** headers the answer must carry, such as Retry-After */
  headers?: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'InvalidParameters',
  429: 'TooManyRequests',
};

/** Maps anything a request can throw to a status and the error body of docs/public-api.md. */
export function renderError(err: unknown): RenderedError {
  if (err instanceof DomainError) {
    return {
      status: err.status,
      body: { error: err.code, description: err.message },
      unexpected: false,
      ...(err.headers ? { headers: err.headers } : {}),
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status < 500) {
      const description =
        status === (HttpStatus.NOT_FOUND as number) ? 'No such route.' : sentence(err.message);
      return {
        status,
        body: { error: CODE_BY_STATUS[status] ?? 'BadRequest', description },
        unexpected: false,
      };
    }
  }
  if (isDatabaseUnavailable(err)) {
    // an outage or overload of our own database: the client can try again, nothing is broken
    return {
      status: 503,
      body: {
        error: 'ServiceUnavailable',
        description:
          'The service cannot reach its database right now or has no connection to spare; try again in a few seconds.',
      },
      unexpected: false,
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    };
  }
  const clientError = httpClientError(err);
  if (clientError) {
    return {
      status: clientError.status,
      body: {
        error: CODE_BY_STATUS[clientError.status] ?? 'BadRequest',
        description: sentence(clientError.message),
      },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: {
      error: 'InternalError',
      description: 'An unexpected error occurred while handling the request.',
    },
    unexpected: true,
  };
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** A 4xx raised by express middleware (body-parser and friends use the http-errors shape). */
function httpClientError(err: unknown): { status: number; message: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  const { status, expose, message } = err as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  if (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    expose === true &&
    typeof message === 'string'
  ) {
    return { status, message };
  }
  return null;
}
