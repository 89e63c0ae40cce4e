import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics-registry';

/** Prometheus text; unauthenticated like /health (no secret in it), for the scraper's network. */
@Controller('metrics')
@ApiTags('health')
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
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    res.type(this.metrics.contentType).send(text);
  }
}
