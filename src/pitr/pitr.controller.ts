import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AccessedInstance } from '../access/access.repository';
import {
  ApiInstanceRoutes,
  CurrentInstance,
  InstanceAccessGuard,
} from '../access/instance-access.guard';
import { ApiErrors } from '../core/openapi/api-errors';
import { PitrWindowResponse } from './dto/pitr-window.response';
import { PitrService } from './pitr.service';

@Controller('v1/instances/:instance_id/pitr')
@UseGuards(InstanceAccessGuard)
@ApiInstanceRoutes('pitr')
export class PitrController {
  constructor(private readonly pitr: PitrService) {}

  @Get()
  @ApiOperation({
    summary: 'The window of moments a continuous-archiving instance can be restored to',
    description:
      'From the end of the oldest kept base backup to the newest commit whose write-ahead log is in storage, over one unbroken stretch of it (`start_time`, `end_time`); `ranges` lists every such stretch, oldest first, when gaps in the archive split it. A restore (`point_in_time`) can pick any moment in a range.',
  })
  @ApiOkResponse({ type: PitrWindowResponse })
  @ApiErrors(
    401,
    403,
    404,
    [
      422,
      'PointInTimeUnavailable: the instance is not archived continuously (backup_type standard), or its window has not opened yet.',
    ],
    503,
  )
  window(@CurrentInstance() instance: AccessedInstance): Promise<PitrWindowResponse> {
    return this.pitr.window(instance);
  }
}
