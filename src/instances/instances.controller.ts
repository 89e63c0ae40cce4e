import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../core/auth/admin.guard';
import { InstanceResponse } from './dto/instance.response';
import { RegisterInstanceDto } from './dto/register-instance.dto';
import { InstancesService } from './instances.service';

@Controller('admin/v1/instances')
@UseGuards(AdminGuard)
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post()
  register(@Body() dto: RegisterInstanceDto): Promise<InstanceResponse> {
    return this.instances.register(dto);
  }

  @Get()
  list(): Promise<InstanceResponse[]> {
    return this.instances.list();
  }

  @Get(':id')
  show(@Param('id') id: string): Promise<InstanceResponse> {
    return this.instances.show(id);
  }

  /** Deregisters; the backups stay until retention of deleted instances removes them. */
  @Delete(':id')
  @HttpCode(204)
  async deregister(@Param('id') id: string): Promise<void> {
    await this.instances.deregister(id);
  }
}
