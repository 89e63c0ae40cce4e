import type { Socket } from 'node:net';

/**
 * Answers a request that Node's HTTP parser refused (a header with forbidden bytes, headers
 * too large) with the error body of docs/public-api.md instead of Node's bare 400, then closes.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    error: tooLarge ? 'RequestHeaderFieldsTooLarge' : 'BadRequest',
    description: tooLarge
      ? 'The request headers are too large.'
      : 'The request could not be parsed as HTTP (a header holds a forbidden character?).',
  });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
