import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { withTimeout } from '../core/async/with-timeout';
import { AppConfig } from '../core/config/app-config';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { JobEnqueuer } from '../jobs/job-enqueuer';
import { WorkersRepository } from '../workers/workers.repository';
import { FleetResponse } from './dto/fleet.response';
import { FleetRepository } from './fleet.repository';

/** One request for the dashboard's first page: every instance at a glance, workers and queue. */
@Controller('admin/v1/fleet')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class FleetController {
  constructor(
    private readonly fleet: FleetRepository,
    private readonly workers: WorkersRepository,
    private readonly queue: JobEnqueuer,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Every registered instance with its newest success, failure and verification',
  })
  @ApiOkResponse({ type: FleetResponse })
  @ApiErrors(401, 503)
  async show(): Promise<FleetResponse> {
    const [instances, workers, waiting] = await Promise.all([
      this.fleet.instances(),
      this.workers.alive(),
      // the page shows what it has when Redis is slow or away
      withTimeout(
        this.queue.jobCounts(['waiting', 'prioritized']),
        this.config.upstreamTimeoutMs,
        () => new Error('the queue did not answer in time'),
      )
        .then((byQueue) =>
          Object.values(byQueue).reduce(
            (sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0),
            0,
          ),
        )
        .catch(() => null),
    ]);
    return { workers_alive: workers.length, jobs_waiting: waiting, instances };
  }
}
