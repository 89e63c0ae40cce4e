import type { AccessedInstance } from '../access/access.repository';
import { Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { nextPageLink, parsePage } from '../core/validation/paging';
import { BackupNotFoundError } from '../core/errors/domain-errors';
import { RouteNumber } from '../core/validation/route-number';
import {
  ApiInstanceRoutes,
  ApiNumberParam,
  CurrentInstance,
  InstanceAccessGuard,
} from '../access/instance-access.guard';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ApiErrors } from '../core/openapi/api-errors';
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
  @ApiOkResponse({
    type: [BackupResponse],
    description:
      'The whole list, or with `limit` a page of it; when older backups exist beyond the page, a `Link: <…>; rel="next"` header (RFC 8288) names the next one.',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000 },
    description: 'At most this many backups (default: all).',
  })
  @ApiQuery({
    name: 'before',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
    description: 'Only backups older than the one with this id.',
  })
  @ApiErrors(401, 403, 404, 422, 503)
  async list(
    @CurrentInstance() instance: AccessedInstance,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = parsePage(query);
    const { json, nextBefore } = await this.backups.list(instance.id, page);
    if (nextBefore !== undefined) res.setHeader('Link', nextPageLink(req, page.limit!, nextBefore));
    res.type('json').send(json);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Trigger a backup' })
  @ApiAcceptedResponse({ type: BackupQueuedResponse })
  @ApiErrors(401, 403, 404, 409, 502, 503, 504)
  trigger(@CurrentInstance() instance: AccessedInstance): Promise<BackupQueuedResponse> {
    return this.backups.trigger(instance);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show one backup' })
  @ApiNumberParam('backup')
  @ApiOkResponse({ type: BackupResponse })
  @ApiErrors(401, 403, 404, 503)
  async show(
    @CurrentInstance() instance: AccessedInstance,
    @RouteNumber(BackupNotFoundError) id: number,
    @Res() res: Response,
  ): Promise<void> {
    res.type('json').send(await this.backups.show(instance.id, id));
  }
}
