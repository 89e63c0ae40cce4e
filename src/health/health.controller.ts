import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthCheckResult } from '@nestjs/terminus';
import { HealthService } from './health.service';

/** The readiness body: each dependency by name, with `status` and, when down, `message`. */
const DEPENDENCIES = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
  },
};
const READINESS = {
  type: 'object',
  required: ['status', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error'] },
    info: DEPENDENCIES,
    error: DEPENDENCIES,
    details: DEPENDENCIES,
  },
  example: {
    status: 'error',
    info: { storage: { status: 'up' }, workers: { status: 'up', alive: 2, last_job_at: null } },
    error: { redis: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:6379' } },
  },
};

/**
 * Health for load balancers and orchestrators; unauthenticated, and reveals no secret:
 * `live` says the process answers, `ready` checks PostgreSQL, Redis and storage (503 naming the
 * failed one) and tells how many workers are alive. `GET /health` stays as it was.
 */
@Controller('health')
@ApiTags('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'The API answers and its database too (kept for existing probes)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  check(): Promise<{ status: 'ok' }> {
    return this.health.check();
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: PostgreSQL, Redis and storage answer; how many workers are alive',
  })
  @ApiOkResponse({ description: 'Every dependency is up.', schema: READINESS })
  @ApiResponse({
    status: 503,
    description: '`error` names each dependency that is down, and why.',
    schema: READINESS,
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.ready();
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }
}
