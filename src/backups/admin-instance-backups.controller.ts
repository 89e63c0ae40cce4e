import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation } from '@nestjs/swagger';
import type { AccessedInstance } from '../access/access.repository';
import { AdminInstanceRoutes } from '../access/admin-instance.guard';
import { CurrentInstance } from '../access/instance-access.guard';
import { ApiErrors } from '../core/openapi/api-errors';
import { BackupsService } from './backups.service';
import { BackupQueuedResponse } from './dto/backup-queued.response';

/** An operator backs up any instance, as its own token would (the dashboard's "Back up now"). */
@Controller('admin/v1/instances/:id/backups')
@AdminInstanceRoutes()
export class AdminInstanceBackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Trigger a backup of an instance',
    description:
      'As `POST /v1/instances/{instance_id}/backups` with the instance’s token: the same answers and the same refusals (409 while a backup or restore of it is queued or running).',
  })
  @ApiAcceptedResponse({ type: BackupQueuedResponse })
  @ApiErrors(401, 404, 409, 502, 503, 504)
  trigger(@CurrentInstance() instance: AccessedInstance): Promise<BackupQueuedResponse> {
    return this.backups.trigger(instance);
  }
}
