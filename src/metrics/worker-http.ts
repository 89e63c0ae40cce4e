import { createServer, Server } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { METRICS_UNAUTHORIZED } from '../core/auth/metrics-auth';
import { MetricsRegistry } from './metrics-registry';

/**
 * The worker's own small HTTP face, for Prometheus and the container's healthcheck:
 * `GET /metrics` (this worker's figures, for METRICS_TOKEN or the admin token) and
 * `GET /health/live`. Each worker serves its own,
 * because counters of finished jobs live in the process that ran them; Prometheus sums them.
 */
export function serveWorkerHttp(
  /** the worker's registry, once the worker runs (before that, /metrics answers 503) */
  registry: () => MetricsRegistry | undefined,
  port: number,
  logger: LoggerService,
  /** whether a request's Authorization header opens /metrics (opensMetrics) */
  authorized: (authorization: string | undefined) => boolean,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const metrics = registry();
    if (req.method === 'GET' && path === '/metrics' && !authorized(req.headers.authorization)) {
      res
        .writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' })
        .end(JSON.stringify({ error: 'Unauthorized', description: METRICS_UNAUTHORIZED }));
    } else if (req.method === 'GET' && path === '/metrics' && !metrics) {
      res.writeHead(503, { 'Retry-After': '5' }).end();
    } else if (req.method === 'GET' && path === '/metrics' && metrics) {
      metrics.text().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.method === 'GET' && path === '/health/live') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end('{"error":"NotFound","description":"The worker serves /metrics and /health/live."}');
    }
  });
  return new Promise((resolve, reject) => {
    // the listen error as it is (its code and port say what is wrong)
    server.once('error', reject);
    server.listen(port, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      logger.log({ msg: 'worker metrics served', port: bound }, 'Metrics');
      resolve(server);
    });
  });
}
