import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { AdminGuard } from '../core/auth/admin.guard';
import { CheckQuery } from './dto/check.query';
import { ConnectionCheckResponse } from './dto/connection-check.response';
import { InstanceResponse } from './dto/instance.response';
import { RegisterInstanceDto } from './dto/register-instance.dto';
import { PatchInstanceDto } from './dto/patch-instance.dto';
import { InstancesService } from './instances.service';

@Controller('admin/v1/instances')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post()
  @ApiOperation({ summary: 'Register an instance' })
  @ApiCreatedResponse({ type: InstanceResponse })
  @ApiErrors(
    401,
    [409, 'An instance with this id is registered, or was (ids are never reused).'],
    [
      422,
      'Invalid body, or with ?check=true the connection check failed (the description says how).',
    ],
    503,
  )
  register(
    @Body() dto: RegisterInstanceDto,
    @Query() query: CheckQuery,
  ): Promise<InstanceResponse> {
    return this.instances.register(dto, query.check === 'true');
  }

  @Get()
  @ApiOperation({ summary: 'List the registered instances' })
  @ApiOkResponse({ type: [InstanceResponse] })
  @ApiErrors(401, 503)
  list(): Promise<InstanceResponse[]> {
    return this.instances.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show an instance (never its credentials)' })
  @ApiOkResponse({ type: InstanceResponse })
  @ApiErrors(401, 404, 503)
  show(@Param('id') id: string): Promise<InstanceResponse> {
    return this.instances.show(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename an instance or give it new credentials',
    description:
      'E.g. after a password rotation: the next backup uses the new connection_url. The type and backup type cannot change.',
  })
  @ApiOkResponse({ type: InstanceResponse })
  @ApiErrors(
    401,
    404,
    [
      422,
      'Invalid body, a changed type, or with ?check=true a failed connection check; nothing was changed.',
    ],
    503,
  )
  update(
    @Param('id') id: string,
    @Body() dto: PatchInstanceDto,
    @Query() query: CheckQuery,
  ): Promise<InstanceResponse> {
    return this.instances.update(id, dto, query.check === 'true');
  }

  @Post(':id/check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check the connection as the worker would',
    description:
      'Reachable, authenticated, server version, the dump privilege and (for continuous archiving) the replication privilege, within UPSTREAM_TIMEOUT_MS. A failed check is still a 200: read `ok` and each step.',
  })
  @ApiOkResponse({ type: ConnectionCheckResponse })
  @ApiErrors(401, 404, 503)
  check(@Param('id') id: string): Promise<ConnectionCheckResponse> {
    return this.instances.check(id);
  }

  /** Deregisters; the backups stay until retention of deleted instances removes them. */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deregister an instance' })
  @ApiNoContentResponse({ description: 'Deregistered.' })
  @ApiErrors(401, 404, 503)
  async deregister(@Param('id') id: string): Promise<void> {
    await this.instances.deregister(id);
  }
}
