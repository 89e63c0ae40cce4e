import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { InvalidParametersError } from '../core/errors/domain-errors';
import { MAX_PAGE, nextPageLink } from '../core/validation/paging';
import { parseMoment } from '../core/validation/moment';
import { BackupsRepository } from './backups.repository';
import { AdminBackupResponse, toAdminBackupResponse } from './dto/admin-backup.response';
import { ADMIN_PAGE_DEFAULT, ListBackupsQuery } from './dto/list-backups.query';

/**
 * Backups across instances for operators ("every failure of last night in one call"), newest
 * first, a page at a time: when more match, a `Link: <…>; rel="next"` header (RFC 8288) names
 * the next page.
 */
@Controller('admin/v1/backups')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class AdminBackupsController {
  constructor(private readonly backups: BackupsRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Backups across instances, newest first, with failure reasons',
    description:
      'Paged: `limit` (1–1000, default 100) per page; when more match, a `Link: <…>; rel="next"` header gives the next page.',
  })
  @ApiOkResponse({ type: [AdminBackupResponse] })
  @ApiErrors(401, 422, 503)
  async list(
    @Query() query: ListBackupsQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AdminBackupResponse[]> {
    const limit = query.limit === undefined ? ADMIN_PAGE_DEFAULT : Number(query.limit);
    if (limit > MAX_PAGE) {
      throw new InvalidParametersError(
        `Invalid query parameters: limit must be an integer from 1 to ${MAX_PAGE}.`,
      );
    }
    const rows = await this.backups.listAcross({
      status: query.status,
      instanceId: query.instance_id,
      since: query.since === undefined ? undefined : parseMoment(query.since, { dateAlone: true })!,
      before: query.before === undefined ? undefined : BigInt(query.before),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    if (rows.length > limit) {
      res.setHeader('Link', nextPageLink(req, limit, String(page[page.length - 1].pk)));
    }
    return page.map(toAdminBackupResponse);
  }
}
