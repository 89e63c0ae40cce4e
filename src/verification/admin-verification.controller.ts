import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { AdminBackupResponse } from '../backups/dto/admin-backup.response';
import { VerificationResponse } from '../backups/dto/verification.response';
import { AdminGuard } from '../core/auth/admin.guard';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { VerificationService } from './verification.service';

/** One backup as operators see it, with its newest verification; and asking for one. */
@Controller('admin/v1/instances/:id/backups/:number')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
@ApiParam({ name: 'id', description: 'The id of a registered instance.' })
@ApiParam({
  name: 'number',
  description: 'The id of the backup within the instance (1, 2, 3…).',
  schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
})
export class AdminVerificationController {
  constructor(private readonly verification: VerificationService) {}

  @Get()
  @ApiOperation({ summary: 'One backup with its failure reason and its newest verification' })
  @ApiOkResponse({ type: AdminBackupResponse })
  @ApiErrors(401, 404, 503)
  show(@Param('id') id: string, @Param('number') number: string): Promise<AdminBackupResponse> {
    return this.verification.show(id, number);
  }

  @Post('verify')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Verify a backup: restore it into a scratch server and compare what it holds',
    description:
      'The worker restores the archive into a private server it starts for it (never the instance) and compares each table’s rows with those counted when the backup was made. Follow it in `verification` of the backup.',
  })
  @ApiAcceptedResponse({ type: VerificationResponse })
  @ApiErrors(
    401,
    404,
    [409, 'Conflict: the backup is not done, or is being verified already.'],
    502,
    503,
    504,
  )
  verify(@Param('id') id: string, @Param('number') number: string): Promise<VerificationResponse> {
    return this.verification.verify(id, number);
  }
}
