import { createServer, Server } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { MetricsRegistry } from './metrics-registry';

/**
 * The worker's own small HTTP face, for Prometheus and the container's healthcheck:
 * `GET /metrics` (this worker's figures) and `GET /health/live`. Each worker serves its own,
 * because counters of finished jobs live in the process that ran them; Prometheus sums them.
 */
export function serveWorkerHttp(
  metrics: MetricsRegistry,
  port: number,
  logger: LoggerService,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
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
    server.once('error', (err: Error) =>
      reject(new Error(`WORKER_METRICS_PORT ${port} cannot be served: ${err.message}`)),
    );
    server.listen(port, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      logger.log({ msg: 'worker metrics served', port: bound }, 'Metrics');
      resolve(server);
    });
  });
}
