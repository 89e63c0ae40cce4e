import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import { logQueueErrors } from './queue-error-log';

describe('logQueueErrors', () => {
  const lost = new Error('Missing key for job 42. moveToFinished');

  function warnings(record: 'backup' | 'restore' | 'maintenance'): string[] {
    const emitter = new EventEmitter();
    const lines: string[] = [];
    const logger = { warn: (o: { msg: string }) => lines.push(o.msg) } as unknown as Logger;
    logQueueErrors(emitter, logger, 'some queue', record);
    emitter.emit('error', lost);
    return lines;
  }

  it('names a restore when a restore job vanished from Redis', () => {
    const [line] = warnings('restore');
    expect(line).toMatch(/its restore is recorded in the database/);
    expect(line).not.toMatch(/backup/);
  });

  it('names a backup when a backup job vanished', () => {
    expect(warnings('backup')[0]).toMatch(/its backup is recorded in the database/);
  });
});
