import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';

/** Says in the log when a process starts to stop (and why) and when it has stopped. */
@Injectable()
export class ShutdownLogger implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private started = 0;

  beforeApplicationShutdown(signal?: string): void {
    this.started = Date.now();
    this.logger.log({
      msg: 'shutting down: finishing work in progress',
      signal: signal ?? 'none',
    });
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log({
      msg: 'stopped',
      signal: signal ?? 'none',
      seconds: (Date.now() - this.started) / 1000,
    });
  }
}
