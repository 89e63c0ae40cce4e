import type { AccessedInstance } from '../access/access.repository';
import { Body, Controller, Get, HttpCode, Patch, UseGuards } from '@nestjs/common';
import {
  ApiInstanceRoutes,
  CurrentInstance,
  InstanceAccessGuard,
} from '../access/instance-access.guard';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../core/openapi/api-errors';
import { BackupsConfigService } from './backups-config.service';
import {
  BackupsConfigResponse,
  INSTANCE_UPDATED,
  InstanceUpdatedResponse,
} from './dto/backups-config.response';
import { UpdateBackupsConfigDto } from './dto/update-backups-config.dto';

@Controller('v1/instances/:instance_id/backups-config')
@UseGuards(InstanceAccessGuard)
@ApiInstanceRoutes('backups-config')
export class BackupsConfigController {
  constructor(private readonly configs: BackupsConfigService) {}

  @Get()
  @ApiOperation({ summary: 'Read the backups config of an instance' })
  @ApiOkResponse({ type: BackupsConfigResponse })
  @ApiErrors(401, 403, 404, 503)
  get(@CurrentInstance() instance: AccessedInstance): Promise<BackupsConfigResponse> {
    return this.configs.get(instance);
  }

  @Patch()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Update the backups config: encryption key, retention, exclusion from scheduled backups',
  })
  @ApiOkResponse({ type: InstanceUpdatedResponse })
  @ApiErrors(401, 403, 404, 422, 503)
  async update(
    @CurrentInstance() instance: AccessedInstance,
    @Body() dto: UpdateBackupsConfigDto,
  ): Promise<InstanceUpdatedResponse> {
    await this.configs.update(instance, dto);
    return INSTANCE_UPDATED;
  }
}
