import { Controller, Get, Post } from '@nestjs/common';
import { ErrorAnswer, ErrorAnswerOf, errorAnswersByPath } from './error-answer';

const classAnswer: ErrorAnswer = (r) => ({ status: r.status, body: { from: 'class' } });
const routeAnswer: ErrorAnswer = (r) => ({ status: r.status, body: { from: 'route' } });

@Controller('bm/instances')
@ErrorAnswerOf(classAnswer)
class Declared {
  @Get(':iid')
  show(): void {}

  @Post(':iid/backups/:id/restore')
  @ErrorAnswerOf(routeAnswer)
  restore(): void {}
}

@Controller('v1/instances/:instance_id/backups/:id/download')
class RouteOnly {
  @Get()
  @ErrorAnswerOf(routeAnswer)
  download(): void {}
}

@Controller('v1/instances')
class Plain {
  @Get(':id')
  show(): void {}
}

describe('errorAnswersByPath', () => {
  const answerFor = errorAnswersByPath([Declared, RouteOnly, Plain]);

  it.each([
    ['/bm/instances', classAnswer],
    ['/bm/instances/a/unknown/route', classAnswer],
    ['/bm/instances/a/backups/3/restore', routeAnswer],
    ['/bm/instances/a/backups/3/restore/', routeAnswer],
    ['/v1/instances/a/backups/3/download', routeAnswer],
    ['/v1/instances/a/backups/3/download/', routeAnswer],
    ['/v1/instances/a/backups/3/download/more', undefined],
    ['/v1/instances/a', undefined],
    ['/bmx/instances', undefined],
    ['/', undefined],
  ])('%s → the answer its declaration gives', (path, expected) => {
    expect(answerFor(path)).toBe(expected);
  });
});
