import { BadRequestException, NotFoundException } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client';
import { BackupInProgressError, UpstreamTimeoutError } from './domain-errors';
import { renderError } from './error-body';

describe('renderError', () => {
  it('renders a domain error with its status, word and sentence', () => {
    expect(renderError(new BackupInProgressError('i-1'))).toEqual({
      status: 409,
      body: { error: 'BackupInProgress', description: expect.stringContaining('"i-1"') },
      unexpected: false,
    });
    expect(renderError(new UpstreamTimeoutError('Redis is slow.')).status).toBe(504);
  });

  it('renders an unrouted request as 404 NotFound and a 4xx of the framework as its own', () => {
    expect(renderError(new NotFoundException('Cannot GET /x')).body).toEqual({
      error: 'NotFound',
      description: 'No such route.',
    });
    expect(renderError(new BadRequestException('bad')).body).toEqual({
      error: 'BadRequest',
      description: 'bad.',
    });
  });

  it('renders a 4xx of the body parser, such as a body too large', () => {
    const err = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(renderError(err)).toMatchObject({ status: 413, body: { error: 'PayloadTooLarge' } });
  });

  it('renders an outage of the database as 503 with Retry-After, not as a bug', () => {
    const err = new Prisma.PrismaClientKnownRequestError('unreachable', {
      code: 'P1001',
      clientVersion: 'test',
    });
    expect(renderError(err)).toEqual({
      status: 503,
      body: { error: 'ServiceUnavailable', description: expect.stringMatching(/database/) },
      unexpected: false,
      headers: { 'Retry-After': expect.stringMatching(/^\d+$/) },
    });
  });

  it('renders anything else as a 500 that reveals nothing and is logged', () => {
    const rendered = renderError(new TypeError('secret internals at /srv/app.js:12'));
    expect(rendered).toEqual({
      status: 500,
      body: { error: 'InternalError', description: expect.any(String) },
      unexpected: true,
    });
    expect(rendered.body.description).not.toMatch(/secret|srv/);
  });
});
