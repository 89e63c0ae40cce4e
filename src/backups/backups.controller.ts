import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BackupNotFoundError } from '../core/errors/domain-errors';
import { RouteNumber } from '../core/validation/route-number';
import { CurrentInstance, InstanceAccessGuard } from '../access/instance-access.guard';
import type { Instance } from '../generated/prisma/client';
import { BackupsService } from './backups.service';
import { BackupQueuedResponse } from './dto/backup-queued.response';
import { BackupResponse } from './dto/backup.response';

@Controller('v1/instances/:instance_id/backups')
@UseGuards(InstanceAccessGuard)
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Get()
  list(@CurrentInstance() instance: Instance): Promise<BackupResponse[]> {
    return this.backups.list(instance.id);
  }

  @Post()
  @HttpCode(202)
  trigger(@CurrentInstance() instance: Instance): Promise<BackupQueuedResponse> {
    return this.backups.trigger(instance);
  }

  @Get(':id')
  show(
    @CurrentInstance() instance: Instance,
    @RouteNumber(BackupNotFoundError) id: number,
  ): Promise<BackupResponse> {
    return this.backups.show(instance.id, id);
  }
}
