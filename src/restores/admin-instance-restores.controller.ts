import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AccessedInstance } from '../access/access.repository';
import { AdminInstanceRoutes } from '../access/admin-instance.guard';
import { CurrentInstance, TokenGrants } from '../access/instance-access.guard';
import { ApiErrors } from '../core/openapi/api-errors';
import { CreateRestoreDto } from './dto/create-restore.dto';
import { RestoreQueuedResponse, RestoreResponse } from './dto/restore.response';
import { RestoresService } from './restores.service';

/**
 * An operator restores any instance, or forks it into any other of its type, as a token granted
 * both would (the dashboard's Restore and Fork), and reads its restores as such a token does.
 */
@Controller('admin/v1/instances/:id/restores')
@AdminInstanceRoutes()
export class AdminInstanceRestoresController {
  constructor(private readonly restores: RestoresService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Restore a backup into its instance, to a moment, or fork it into another',
    description:
      'As `POST /v1/instances/{instance_id}/restores` with a token granted every instance: the same body (`backup_id`, `point_in_time`, `target_instance_id`), rules, answers and refusals.',
  })
  @ApiAcceptedResponse({ type: RestoreQueuedResponse })
  @ApiErrors(401, 404, 409, 422, 502, 503, 504)
  trigger(
    @CurrentInstance() instance: AccessedInstance,
    @TokenGrants() granted: string[],
    @Body() body: CreateRestoreDto,
  ): Promise<RestoreQueuedResponse> {
    return this.restores.trigger(instance, body, granted);
  }

  @Get()
  @ApiOperation({
    summary: "List an instance's restores: into it, from it into others, from others into it",
    description:
      'As `GET /v1/instances/{instance_id}/restores` with a token granted every instance.',
  })
  @ApiOkResponse({ type: RestoreResponse, isArray: true })
  @ApiErrors(401, 404)
  list(@CurrentInstance() instance: AccessedInstance): Promise<RestoreResponse[]> {
    return this.restores.list(instance.id);
  }
}
