import { execFileSync } from 'node:child_process';
import { containFailures, failContainingWork } from './contain-failures';

describe('containFailures', () => {
  it('fails the work whose stream errored with no listener, and the process goes on', () => {
    // a process of its own: the test runner keeps uncaught errors to itself
    const script = `
      const { PassThrough } = require('node:stream');
      const { containFailures, failContainingWork } = require('./src/core/async/contain-failures');
      process.on('uncaughtException', (err) => { if (!failContainingWork(err)) process.exit(70); });
      containFailures(async () => {
        const orphan = new PassThrough();
        setTimeout(() => orphan.destroy(new Error('pg_dump exited with code 1')), 5);
        await new Promise(() => setTimeout(() => undefined, 60000));
      }).catch((err) => { console.log('failed: ' + err.message); process.exit(0); });
    `;
    const out = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', script],
      {
        encoding: 'utf8',
        timeout: 60000,
      },
    );
    expect(out.trim()).toBe('failed: pg_dump exited with code 1');
  });

  it('passes the result and the rejection of the work through', async () => {
    await expect(containFailures(() => Promise.resolve(7))).resolves.toBe(7);
    await expect(containFailures(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
  });

  it('says an error outside any such work is not contained', () => {
    expect(failContainingWork(new Error('elsewhere'))).toBe(false);
  });
});
