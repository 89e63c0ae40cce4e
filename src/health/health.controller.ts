import { Controller, Get } from '@nestjs/common';
import { HealthService } from './health.service';

/** Liveness for load balancers and orchestrators; unauthenticated, reveals nothing. */
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  check(): Promise<{ status: 'ok' }> {
    return this.health.check();
  }
}
