import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { InstancesController } from './instances.controller';
import { InstancesRepository } from './instances.repository';
import { InstancesService } from './instances.service';

@Module({
  imports: [CryptoModule, EnginesModule],
  controllers: [InstancesController],
  providers: [InstancesRepository, InstancesService],
  exports: [InstancesRepository, InstancesService],
})
export class InstancesModule {}
