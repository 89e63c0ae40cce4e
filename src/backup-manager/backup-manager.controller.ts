import { Body, Controller, Delete, Get, HttpCode, Post, Put, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBasicAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AccessedInstance } from '../access/access.repository';
import { BackupsConfigService } from '../backups-config/backups-config.service';
import {
  BackupsConfigResponse,
  INSTANCE_UPDATED,
  InstanceUpdatedResponse,
} from '../backups-config/dto/backups-config.response';
import { BackupsService } from '../backups/backups.service';
import { BackupQueuedResponse } from '../backups/dto/backup-queued.response';
import { BackupResponse } from '../backups/dto/backup.response';
import { BackupNotFoundError, RestoreNotFoundError } from '../core/errors/domain-errors';
import { ApiErrors, BACKUP_MANAGER_AUTH } from '../core/openapi/api-errors';
import { RouteNumber } from '../core/validation/route-number';
import { RestoreResponse } from '../restores/dto/restore.response';
import { RestoresService } from '../restores/restores.service';
import { ErrorAnswerOf } from '../core/errors/error-answer';
import { ManagedInstance, backupManagerErrorAnswer } from './backup-manager.errors';
import { BackupManagerGuard } from './backup-manager.guard';
import { BackupManagerService } from './backup-manager.service';
import { UpdateInstanceDto } from './dto/update-instance.dto';

const IID = ApiParam({ name: 'iid', description: 'The instance id.' });
const BID = ApiParam({ name: 'id', description: 'The backup id within the instance.' });

/**
 * The a9s Backup Manager API as platform components (the service broker, the Klutch provider)
 * call it, under `/backup-manager`, with HTTP Basic auth. The same records as `/v1`: a backup
 * made here is listed there and the other way round. Its clients count 201 (not 202) as a
 * queued backup and 202 as a queued restore.
 */
@Controller('backup-manager/instances')
@ErrorAnswerOf(backupManagerErrorAnswer())
@UseGuards(BackupManagerGuard)
@ApiTags('backup-manager')
@ApiBasicAuth(BACKUP_MANAGER_AUTH)
export class BackupManagerController {
  constructor(
    private readonly manager: BackupManagerService,
    private readonly configs: BackupsConfigService,
    private readonly backups: BackupsService,
    private readonly restores: RestoresService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Health check of the Backup Manager API' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  @ApiErrors(401)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(':iid/config')
  @IID
  @ApiOperation({ summary: 'An instance’s backups config' })
  @ApiOkResponse({ type: BackupsConfigResponse })
  @ApiErrors(401, 404, 410, 503)
  config(@ManagedInstance() instance: AccessedInstance): Promise<BackupsConfigResponse> {
    return this.configs.get(instance);
  }

  @Put(':iid')
  @HttpCode(201)
  @IID
  @ApiOperation({ summary: 'Set the encryption key or the exclusion from scheduled backups' })
  @ApiCreatedResponse({ type: InstanceUpdatedResponse })
  @ApiErrors(401, 404, 410, 422, 503)
  async update(
    @ManagedInstance() instance: AccessedInstance,
    @Body() dto: UpdateInstanceDto,
  ): Promise<InstanceUpdatedResponse> {
    await this.manager.update(instance, dto);
    return INSTANCE_UPDATED;
  }

  @Post(':iid/backups')
  @HttpCode(201)
  @IID
  @ApiOperation({ summary: 'Trigger a backup (201, not 202, for this API’s clients)' })
  @ApiCreatedResponse({ type: BackupQueuedResponse })
  @ApiErrors(401, 404, 410, 409, 502, 503, 504)
  trigger(@ManagedInstance() instance: AccessedInstance): Promise<BackupQueuedResponse> {
    return this.backups.trigger(instance);
  }

  @Get(':iid/backups')
  @IID
  @ApiOperation({ summary: 'The instance’s backups, newest first' })
  @ApiOkResponse({ type: [BackupResponse] })
  @ApiErrors(401, 404, 410, 503)
  async list(@ManagedInstance() instance: AccessedInstance, @Res() res: Response): Promise<void> {
    res.type('json').send((await this.backups.list(instance.id, {})).json);
  }

  @Get(':iid/backups/:id')
  @IID
  @BID
  @ApiOperation({ summary: 'One backup (a deleted one stays readable)' })
  @ApiOkResponse({ type: BackupResponse })
  @ApiErrors(401, 404, 410, 503)
  async show(
    @ManagedInstance() instance: AccessedInstance,
    @RouteNumber(BackupNotFoundError) id: number,
    @Res() res: Response,
  ): Promise<void> {
    res.type('json').send(await this.backups.show(instance.id, id));
  }

  @Delete(':iid/backups/:id')
  @IID
  @BID
  @ApiOperation({ summary: 'Delete a backup: its archive goes, its record stays as deleted' })
  @ApiOkResponse({ schema: { example: { message: 'backup deleted' } } })
  @ApiErrors(401, 404, 410, 409, 423, 503)
  async remove(
    @ManagedInstance() instance: AccessedInstance,
    @RouteNumber(BackupNotFoundError) id: number,
  ): Promise<{ message: string }> {
    await this.manager.deleteBackup(instance, id);
    return { message: 'backup deleted' };
  }

  @Post(':iid/backups/:id/restore')
  @ErrorAnswerOf(backupManagerErrorAnswer('RestoreInProgress'))
  @HttpCode(202)
  @IID
  @BID
  @ApiOperation({ summary: 'Restore a backup into its instance' })
  @ApiAcceptedResponse({ schema: { example: { id: 7 } } })
  @ApiErrors(401, 404, 410, 409, 422, 502, 503, 504)
  async restore(
    @ManagedInstance() instance: AccessedInstance,
    @RouteNumber(BackupNotFoundError) id: number,
  ): Promise<{ id: number }> {
    const { id: restoreId } = await this.restores.trigger(instance, { backup_id: id });
    return { id: restoreId };
  }

  @Get(':iid/restores')
  @IID
  @ApiOperation({ summary: 'The instance’s restores, newest first' })
  @ApiOkResponse({ type: [RestoreResponse] })
  @ApiErrors(401, 404, 410, 503)
  restoresOf(@ManagedInstance() instance: AccessedInstance): Promise<RestoreResponse[]> {
    return this.restores.list(instance.id);
  }

  @Get(':iid/restores/:id')
  @IID
  @ApiParam({ name: 'id', description: 'The restore id within the instance.' })
  @ApiOperation({ summary: 'One restore' })
  @ApiOkResponse({ type: RestoreResponse })
  @ApiErrors(401, 404, 410, 503)
  restoreOf(
    @ManagedInstance() instance: AccessedInstance,
    @RouteNumber(RestoreNotFoundError) id: number,
  ): Promise<RestoreResponse> {
    return this.restores.show(instance.id, id);
  }
}
