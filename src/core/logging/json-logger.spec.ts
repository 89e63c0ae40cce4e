import { Writable } from 'node:stream';
import { JsonLogger, createRootLogger } from './json-logger';

describe('JsonLogger', () => {
  function logger(level: string): { log: JsonLogger; lines: string[] } {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    return { log: new JsonLogger(createRootLogger(level, sink)), lines };
  }

  it("keeps Nest's route and module start-up lines at debug, and everything else at info", async () => {
    const { log, lines } = logger('info');
    log.log('Mapped {/v1/instances, GET} route', 'RouterExplorer');
    log.log('BackupsModule dependencies initialized', 'InstanceLoader');
    log.log('API listening on port 3000', 'Main');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'API listening on port 3000',
    ]);

    const debug = logger('debug');
    debug.log.log('Mapped {/v1/instances, GET} route', 'RouterExplorer');
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(debug.lines[0])).toMatchObject({ level: 'debug', context: 'RouterExplorer' });
  });
});
