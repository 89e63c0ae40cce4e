import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { MetricsGuard } from '../core/auth/metrics.guard';
import { ErrorBodyDto, METRICS_AUTH } from '../core/openapi/api-errors';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics-registry';

/**
 * Prometheus text, for a bearer METRICS_TOKEN (or the admin token): it holds no secret, but
 * names every tenant's instances, so it is not open like /health.
 */
@Controller('metrics')
@ApiTags('health')
@UseGuards(MetricsGuard)
@ApiBearerAuth(METRICS_AUTH)
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics of the shared state (each worker serves its own counters)',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'The Prometheus text format, version 0.0.4.',
    schema: { type: 'string' },
  })
  @ApiResponse({
    status: 401,
    description: 'No bearer METRICS_TOKEN or admin token.',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } },
  })
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    res.type(this.metrics.contentType).send(text);
  }
}
