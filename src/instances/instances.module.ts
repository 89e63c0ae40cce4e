import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module';
import { InstancesController } from './instances.controller';
import { InstancesRepository } from './instances.repository';
import { InstancesService } from './instances.service';

@Module({
  imports: [CryptoModule],
  controllers: [InstancesController],
  providers: [InstancesRepository, InstancesService],
  exports: [InstancesRepository],
})
export class InstancesModule {}
