import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { WalArchiveResponse } from './dto/wal-archive.response';
import { PitrService } from './pitr.service';

@Controller('admin/v1/instances/:id/wal-archive')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class AdminWalArchiveController {
  constructor(private readonly pitr: PitrService) {}

  @Get()
  @ApiOperation({
    summary: 'The continuous archiving of an instance: receiver, slot, newest WAL stored, gaps',
    description:
      'A slot whose receiver does not run keeps WAL on the instance: watch retained_bytes (and set max_slot_wal_keep_size on the server).',
  })
  @ApiOkResponse({ type: WalArchiveResponse })
  @ApiErrors(
    401,
    404,
    [422, 'PointInTimeUnavailable: the instance is not archived continuously.'],
    503,
  )
  show(@Param('id') id: string): Promise<WalArchiveResponse> {
    return this.pitr.archive(id);
  }
}
