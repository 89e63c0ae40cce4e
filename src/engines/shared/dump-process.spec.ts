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
    const out = sh('exec sleep 60', 300);
    const err = (await buffer(out).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DumpFailedError);
    expect(err.message).toBe(
      'sh wrote nothing for 0.3 s and was stopped; is the instance reachable?',
    );
    // stopped by the watchdog, not by the tool's own end a minute later
    expect(Date.now() - started).toBeLessThan(30000);
  });

  it('leaves a slow tool alone as long as it keeps writing', async () => {
    // writes every 0.1 s for longer than the 1 s limit: on a busy machine a pause may stretch,
    // but not tenfold
    const out = sh('i=0; while [ $i -lt 15 ]; do echo $i; sleep 0.1; i=$((i+1)); done', 1000);
    expect((await buffer(out)).toString().split('\n')).toHaveLength(16);
  });

  it('does not count the time in which the reader is not reading', async () => {
    const out = sh('head -c 4194304 /dev/zero', 300);
    // nobody reads for 5 × the limit: the tool is blocked by us, not stuck
    await new Promise((r) => setTimeout(r, 1500));
    expect((await buffer(out)).length).toBe(4194304);
  });
});
