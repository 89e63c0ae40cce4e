import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BackupNotFoundError } from '../core/errors/domain-errors';
import { RouteNumber } from '../core/validation/route-number';
import {
  ApiInstanceRoutes,
  ApiNumberParam,
  CurrentInstance,
  InstanceAccessGuard,
} from '../access/instance-access.guard';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../core/openapi/api-errors';
import type { Instance } from '../generated/prisma/client';
import { BackupsService } from './backups.service';
import { BackupQueuedResponse } from './dto/backup-queued.response';
import { BackupResponse } from './dto/backup.response';

@Controller('v1/instances/:instance_id/backups')
@UseGuards(InstanceAccessGuard)
@ApiInstanceRoutes('backups')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Get()
  @ApiOperation({ summary: 'List the backups of an instance, newest first' })
  @ApiOkResponse({ type: [BackupResponse] })
  @ApiErrors(401, 403, 404, 503)
  list(@CurrentInstance() instance: Instance): Promise<BackupResponse[]> {
    return this.backups.list(instance.id);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Trigger a backup' })
  @ApiAcceptedResponse({ type: BackupQueuedResponse })
  @ApiErrors(401, 403, 404, 409, 502, 503, 504)
  trigger(@CurrentInstance() instance: Instance): Promise<BackupQueuedResponse> {
    return this.backups.trigger(instance);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show one backup' })
  @ApiNumberParam('backup')
  @ApiOkResponse({ type: BackupResponse })
  @ApiErrors(401, 403, 404, 503)
  show(
    @CurrentInstance() instance: Instance,
    @RouteNumber(BackupNotFoundError) id: number,
  ): Promise<BackupResponse> {
    return this.backups.show(instance.id, id);
  }
}
