import { Body, Controller, Get, HttpCode, Patch, UseGuards } from '@nestjs/common';
import { CurrentInstance, InstanceAccessGuard } from '../access/instance-access.guard';
import type { Instance } from '../generated/prisma/client';
import { BackupsConfigService } from './backups-config.service';
import { BackupsConfigResponse, INSTANCE_UPDATED } from './dto/backups-config.response';
import { UpdateBackupsConfigDto } from './dto/update-backups-config.dto';

@Controller('v1/instances/:instance_id/backups-config')
@UseGuards(InstanceAccessGuard)
export class BackupsConfigController {
  constructor(private readonly configs: BackupsConfigService) {}

  @Get()
  get(@CurrentInstance() instance: Instance): Promise<BackupsConfigResponse> {
    return this.configs.get(instance);
  }

  @Patch()
  @HttpCode(200)
  async update(
    @CurrentInstance() instance: Instance,
    @Body() dto: UpdateBackupsConfigDto,
  ): Promise<typeof INSTANCE_UPDATED> {
    await this.configs.update(instance, dto);
    return INSTANCE_UPDATED;
  }
}
