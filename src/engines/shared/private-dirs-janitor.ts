import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { removeAbandonedPrivateDirs } from './private-dirs';

/**
 * At worker start: removes what workers that died mid-restore left behind (private servers
 * still running, their directories with a cluster or a snapshot in them).
 */
@Injectable()
export class PrivateDirsJanitor implements OnApplicationBootstrap {
  private readonly logger = new Logger(PrivateDirsJanitor.name);

  onApplicationBootstrap(): void {
    try {
      const removed = removeAbandonedPrivateDirs();
      if (removed.length > 0) {
        this.logger.warn({
          msg: 'removed what a stopped worker left running',
          directories: removed,
        });
      }
    } catch (err) {
      this.logger.warn({
        msg: 'could not look for what stopped workers left',
        error: (err as Error).message,
      });
    }
  }
}
