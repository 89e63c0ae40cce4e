import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../core/auth/admin.guard';
import { InstanceNotFoundError } from '../core/errors/domain-errors';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { InstancesRepository } from '../instances/instances.repository';
import { ProgressResponse } from './dto/progress.response';
import { ProgressRepository } from './progress.repository';

@Controller('admin/v1/instances/:id/progress')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class AdminProgressController {
  constructor(
    private readonly progress: ProgressRepository,
    private readonly instances: InstancesRepository,
  ) {}

  @Get()
  @ApiOperation({
    summary: "An instance's queued and running backups and restores, and how far each has come",
    description: 'Workers report every second.',
  })
  @ApiOkResponse({ type: ProgressResponse })
  @ApiErrors(401, 404, 503)
  async show(@Param('id') id: string): Promise<ProgressResponse> {
    const instance = await this.instances.find(id);
    if (!instance) throw new InstanceNotFoundError(id);
    return this.progress.underWay(id);
  }
}
