import type { AccessedInstance } from '../access/access.repository';
import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RestoreNotFoundError } from '../core/errors/domain-errors';
import { RouteNumber } from '../core/validation/route-number';
import {
  ApiInstanceRoutes,
  ApiNumberParam,
  CurrentInstance,
  InstanceAccessGuard,
  TokenGrants,
} from '../access/instance-access.guard';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../core/openapi/api-errors';
import { CreateRestoreDto } from './dto/create-restore.dto';
import { RestoreQueuedResponse, RestoreResponse } from './dto/restore.response';
import { RestoresService } from './restores.service';

@Controller('v1/instances/:instance_id/restores')
@UseGuards(InstanceAccessGuard)
@ApiInstanceRoutes('restores')
export class RestoresController {
  constructor(private readonly restores: RestoresService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Restore a backup into its instance, or fork it into another',
    description:
      'With `target_instance_id`, the backup is restored into that instance instead (a fork): it must be registered, of the same type, and granted to the token (403 otherwise, 422 for another type). The restore is listed under this instance and names its target.',
  })
  @ApiAcceptedResponse({ type: RestoreQueuedResponse })
  @ApiErrors(401, 403, 404, 409, 422, 502, 503, 504)
  trigger(
    @CurrentInstance() instance: AccessedInstance,
    @TokenGrants() granted: string[],
    @Body() body: CreateRestoreDto,
  ): Promise<RestoreQueuedResponse> {
    return this.restores.trigger(instance, body, granted);
  }

  @Get()
  @ApiOperation({ summary: 'List the restores of an instance, newest first' })
  @ApiOkResponse({ type: [RestoreResponse] })
  @ApiErrors(401, 403, 404, 503)
  list(@CurrentInstance() instance: AccessedInstance): Promise<RestoreResponse[]> {
    return this.restores.list(instance.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show one restore' })
  @ApiNumberParam('restore')
  @ApiOkResponse({ type: RestoreResponse })
  @ApiErrors(401, 403, 404, 503)
  show(
    @CurrentInstance() instance: AccessedInstance,
    @RouteNumber(RestoreNotFoundError)
    id: number,
  ): Promise<RestoreResponse> {
    return this.restores.show(instance.id, id);
  }
}
