import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AccessedInstance } from '../access/access.repository';
import {
  ApiInstanceRoutes,
  CurrentInstance,
  InstanceAccessGuard,
} from '../access/instance-access.guard';
import { ApiErrors } from '../core/openapi/api-errors';
import { ProgressResponse } from './dto/progress.response';
import { ProgressRepository } from './progress.repository';

@Controller('v1/instances/:instance_id/progress')
@UseGuards(InstanceAccessGuard)
@ApiInstanceRoutes('progress')
export class ProgressController {
  constructor(private readonly progress: ProgressRepository) {}

  @Get()
  @ApiOperation({
    summary: "The instance's queued and running backups and restores, and how far each has come",
    description:
      'Not part of the a9s Public API: an addition of this service. Workers report every second.',
  })
  @ApiOkResponse({ type: ProgressResponse })
  @ApiErrors(401, 403, 404, 503)
  show(@CurrentInstance() instance: AccessedInstance): Promise<ProgressResponse> {
    return this.progress.underWay(instance.id);
  }
}
