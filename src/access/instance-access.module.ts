import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module';
import { TokensModule } from '../tokens/tokens.module';
import { AccessRepository } from './access.repository';
import { AdminInstanceGuard } from './admin-instance.guard';
import { InstanceAccessGuard } from './instance-access.guard';
import { TokenInstancesController } from './token-instances.controller';

/**
 * Who may act on an instance through the public API: the guard of every
 * `/v1/instances/:instance_id/…` route, for the feature modules that import this one, and which
 * instances a token opens (`GET /v1/instances`). It sits above tokens and instances, which it
 * reads; they know nothing of it.
 */
@Module({
  imports: [TokensModule, InstancesModule],
  controllers: [TokenInstancesController],
  providers: [InstanceAccessGuard, AdminInstanceGuard, AccessRepository],
  exports: [
    InstanceAccessGuard,
    AdminInstanceGuard,
    AccessRepository,
    TokensModule,
    InstancesModule,
  ],
})
export class InstanceAccessModule {}
