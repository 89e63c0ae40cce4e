import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
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
import { InstanceResponse } from './dto/instance.response';
import { RegisterInstanceDto } from './dto/register-instance.dto';
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
    422,
    503,
  )
  register(@Body() dto: RegisterInstanceDto): Promise<InstanceResponse> {
    return this.instances.register(dto);
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
