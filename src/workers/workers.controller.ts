import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { WorkersRepository } from './workers.repository';

export class WorkerResponse {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the worker process when it started.' })
  id!: string;

  @ApiProperty()
  hostname!: string;

  @ApiProperty()
  pid!: number;

  @ApiProperty({ format: 'date-time' })
  started_at!: string;

  @ApiProperty({ format: 'date-time', description: 'When it last reported itself alive.' })
  seen_at!: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  last_job_at!: string | null;
}

@Controller('admin/v1/workers')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class WorkersController {
  constructor(private readonly workers: WorkersRepository) {}

  @Get()
  @ApiOperation({ summary: 'The worker processes alive now, and when each last took a job' })
  @ApiOkResponse({ type: [WorkerResponse] })
  @ApiErrors(401, 503)
  async list(): Promise<WorkerResponse[]> {
    return (await this.workers.alive()).map((w) => ({
      id: w.id,
      hostname: w.hostname,
      pid: w.pid,
      started_at: w.startedAt.toISOString(),
      seen_at: w.seenAt.toISOString(),
      last_job_at: w.lastJobAt?.toISOString() ?? null,
    }));
  }
}
