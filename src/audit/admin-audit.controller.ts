import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { InvalidParametersError } from '../core/errors/domain-errors';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { parseMoment } from '../core/validation/moment';
import { MAX_PAGE, nextPageLink } from '../core/validation/paging';
import { AuditRepository } from './audit.repository';
import { AuditRecordResponse, toAuditRecordResponse } from './dto/audit-record.response';
import { AUDIT_PAGE_DEFAULT, ListAuditQuery } from './dto/list-audit.query';

/** Who did what: the audit log, newest first, a page at a time. */
@Controller('admin/v1/audit')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class AdminAuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @ApiOperation({
    summary: 'The audit log: every state-changing request, newest first',
    description:
      'Every POST, PUT, PATCH and DELETE to the admin, public and Backup Manager APIs, with who made it, on which instance, and its status; never a body or a secret. Paged: `limit` (1–1000, default 100) per page; when more match, a `Link: <…>; rel="next"` header gives the next page. Kept `AUDIT_RETENTION_DAYS`.',
  })
  @ApiOkResponse({ type: [AuditRecordResponse] })
  @ApiErrors(401, 422, 503)
  async list(
    @Query() query: ListAuditQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuditRecordResponse[]> {
    const limit = query.limit === undefined ? AUDIT_PAGE_DEFAULT : Number(query.limit);
    if (limit > MAX_PAGE) {
      throw new InvalidParametersError(
        `Invalid query parameters: limit must be an integer from 1 to ${MAX_PAGE}.`,
      );
    }
    const moment = (v?: string) =>
      v === undefined ? undefined : parseMoment(v, { dateAlone: true })!;
    const rows = await this.audit.list({
      instanceId: query.instance_id,
      actor: query.actor,
      action: query.action,
      since: moment(query.since),
      until: moment(query.until),
      before: query.before === undefined ? undefined : BigInt(query.before),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    if (rows.length > limit) {
      res.setHeader('Link', nextPageLink(req, limit, String(page[page.length - 1].id)));
    }
    return page.map(toAuditRecordResponse);
  }
}
