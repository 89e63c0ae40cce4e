import { buffer } from 'node:stream/consumers';
import { DumpFailedError } from './dump-engine';
import { baseEnvironment, spawnDump } from './dump-process';

const sh = (script: string, idleTimeoutMs: number) =>
  spawnDump({
    command: 'sh',
    args: ['-c', script],
    env: baseEnvironment(),
    secrets: [],
    idleTimeoutMs,
  });

describe('spawnDump idle watchdog', () => {
  it('stops a tool that writes nothing (a silent host) and says so', async () => {
    const started = Date.now();
    const out = sh('exec sleep 30', 300);
    const err = (await buffer(out).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DumpFailedError);
    expect(err.message).toBe(
      'sh wrote nothing for 0.3 s and was stopped; is the instance reachable?',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('leaves a slow tool alone as long as it keeps writing', async () => {
    const out = sh('for i in 1 2 3 4 5 6; do echo $i; sleep 0.1; done', 300);
    expect((await buffer(out)).toString()).toBe('1\n2\n3\n4\n5\n6\n');
  });

  it('does not count the time in which the reader is not reading', async () => {
    const out = sh('head -c 4194304 /dev/zero', 200);
    await new Promise((r) => setTimeout(r, 700)); // nobody reads: the tool is blocked, not stuck
    expect((await buffer(out)).length).toBe(4194304);
  });
});
