import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { CurrentInstance, InstanceAccessGuard } from '../core/auth/instance-access.guard';
import type { Instance } from '../generated/prisma/client';
import { BackupsService } from './backups.service';
import { BackupResponse } from './dto/backup.response';

@Controller('v1/instances/:instance_id/backups')
@UseGuards(InstanceAccessGuard)
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Get()
  list(@CurrentInstance() instance: Instance): Promise<BackupResponse[]> {
    return this.backups.list(instance.id);
  }

  @Get(':id')
  show(@CurrentInstance() instance: Instance, @Param('id') id: string): Promise<BackupResponse> {
    return this.backups.show(instance.id, id);
  }
}
