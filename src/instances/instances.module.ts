import { Module } from '@nestjs/common';
import { InstancesDataModule } from './instances-data.module';
import { CryptoModule } from '../crypto/crypto.module';
import { EnginesModule } from '../engines/engines.module';
import { InstancesController } from './instances.controller';
import { InstancesService } from './instances.service';

@Module({
  imports: [CryptoModule, EnginesModule, InstancesDataModule],
  controllers: [InstancesController],
  providers: [InstancesService],
  exports: [InstancesService, InstancesDataModule],
})
export class InstancesModule {}
