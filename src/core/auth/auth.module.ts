import { Module } from '@nestjs/common';
import { InstancesModule } from '../../instances/instances.module';
import { TokensModule } from '../../tokens/tokens.module';
import { AdminGuard } from './admin.guard';
import { InstanceAccessGuard } from './instance-access.guard';

/** The guards of the public and the admin API, for the feature modules that import this one. */
@Module({
  imports: [TokensModule, InstancesModule],
  providers: [AdminGuard, InstanceAccessGuard],
  exports: [AdminGuard, InstanceAccessGuard, TokensModule, InstancesModule],
})
export class AuthModule {}
