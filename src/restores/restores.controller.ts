import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RestoreNotFoundError } from '../core/errors/domain-errors';
import { RouteNumber } from '../core/validation/route-number';
import { CurrentInstance, InstanceAccessGuard } from '../access/instance-access.guard';
import type { Instance } from '../generated/prisma/client';
import { CreateRestoreDto } from './dto/create-restore.dto';
import { RestoreQueuedResponse, RestoreResponse } from './dto/restore.response';
import { RestoresService } from './restores.service';

@Controller('v1/instances/:instance_id/restores')
@UseGuards(InstanceAccessGuard)
export class RestoresController {
  constructor(private readonly restores: RestoresService) {}

  @Post()
  @HttpCode(202)
  trigger(
    @CurrentInstance() instance: Instance,
    @Body() body: CreateRestoreDto,
  ): Promise<RestoreQueuedResponse> {
    return this.restores.trigger(instance, body);
  }

  @Get()
  list(@CurrentInstance() instance: Instance): Promise<RestoreResponse[]> {
    return this.restores.list(instance.id);
  }

  @Get(':id')
  show(
    @CurrentInstance() instance: Instance,
    @RouteNumber(RestoreNotFoundError)
    id: number,
  ): Promise<RestoreResponse> {
    return this.restores.show(instance.id, id);
  }
}
