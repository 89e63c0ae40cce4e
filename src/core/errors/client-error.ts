import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { ErrorAnswer } from './error-answer';
import type { ErrorBody } from './error-body';

const logger = new Logger('Http');

/** The method and path of a request line, as far as the parser got (never the query string). */
function requestLine(raw: Buffer | undefined): { method?: string; path?: string } {
  const line = raw?.subarray(0, 8192).toString('latin1').split('\r\n')[0] ?? '';
  const [method, target] = line.split(' ');
  if (!method || !/^[A-Z]{1,16}$/.test(method)) return {};
  return { method, path: target?.split('?')[0].slice(0, 1024) };
}

/**
 * Answers a request that Node's HTTP parser refused (a header with forbidden bytes, headers
 * too large) with the error body of docs/public-api.md instead of Node's bare 400, then closes.
 * The request never reached the app, so it gets its request id and its log line here;
 * `answerFor` gives the answer of routes that declare their own (the download route), as for
 * routed errors.
 */
export function answerClientError(
  err: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
  answerFor: (path: string) => ErrorAnswer | undefined = () => undefined,
): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const error: ErrorBody = {
    error: tooLarge ? 'RequestHeaderFieldsTooLarge' : 'BadRequest',
    description: tooLarge
      ? 'The request headers are too large.'
      : 'The request could not be parsed as HTTP (a header holds a forbidden character?).',
  };
  const { method, path } = requestLine(err.rawPacket);
  const requestId = randomUUID();
  logger.warn({
    msg: 'request refused by the HTTP parser',
    method,
    path,
    status,
    requestId,
    reason: err.code,
  });
  const own = path ? answerFor(path)?.({ status, body: error, unexpected: false }, err) : undefined;
  const body = JSON.stringify(own ? own.body : error);
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
