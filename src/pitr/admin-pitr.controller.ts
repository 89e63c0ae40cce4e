import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AccessedInstance } from '../access/access.repository';
import { AdminInstanceRoutes } from '../access/admin-instance.guard';
import { CurrentInstance } from '../access/instance-access.guard';
import { ApiErrors } from '../core/openapi/api-errors';
import { PitrWindowResponse } from './dto/pitr-window.response';
import { PitrService } from './pitr.service';

/** The restore window of any continuous-archiving instance, for the operator's console. */
@Controller('admin/v1/instances/:id/pitr')
@AdminInstanceRoutes()
export class AdminPitrController {
  constructor(private readonly pitr: PitrService) {}

  @Get()
  @ApiOperation({
    summary: 'The window of moments an instance can be restored to',
    description:
      'As `GET /v1/instances/{instance_id}/pitr` with a token granted every instance: the same answer and refusals.',
  })
  @ApiOkResponse({ type: PitrWindowResponse })
  @ApiErrors(
    401,
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
