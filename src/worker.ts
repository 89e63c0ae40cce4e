import 'reflect-metadata';
import { bootstrapProcess, exitOnStartFailure } from './bootstrap';
import { BackupProcessor } from './backups/backup.processor';
import { createWorker } from './worker.factory';
import { MetricsRegistry } from './metrics/metrics-registry';
import { serveWorkerHttp } from './metrics/worker-http';
import { opensMetrics } from './core/auth/metrics-auth';

/** How long closing the queue connections may take once no backup runs any more. */
const CLOSE_GRACE_MS = 15_000;

/** The worker process: runs queued backups; no HTTP server. */
async function main(): Promise<void> {
  const { config, logger } = bootstrapProcess();
  // the port first: a worker that cannot serve it exits before it takes any job
  const running: { metrics?: MetricsRegistry } = {};
  if (config.workerMetricsPort > 0) {
    const server = await serveWorkerHttp(
      () => running.metrics,
      config.workerMetricsPort,
      logger,
      (authorization) => opensMetrics(authorization, config),
    ).catch((err) => exitOnStartFailure(err, logger, 'WORKER_METRICS_PORT'));
    server.unref();
  }
  const worker = await createWorker(config, logger);
  running.metrics = worker.get(MetricsRegistry);
  logger.log(`worker running ${config.workerConcurrency} job(s) at a time`, 'Main');

  // SIGINT and SIGTERM drain: running backups finish, then the process exits. Closing BullMQ's
  // connections can hang for good after Redis was away (a known BullMQ issue), so once no
  // backup runs any more the close gets a bounded grace period.
  const processor = worker.get(BackupProcessor);
  const bound = () => {
    const poll = setInterval(() => {
      if (processor.runningJobs > 0) return;
      clearInterval(poll);
      setTimeout(() => {
        logger.warn({ msg: 'queue connections did not close in time; exiting' }, 'Main');
        process.exit(0);
      }, CLOSE_GRACE_MS).unref();
    }, 500);
    poll.unref();
  };
  process.once('SIGINT', bound);
  process.once('SIGTERM', bound);
}

void main();
