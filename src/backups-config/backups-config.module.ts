import { Module } from '@nestjs/common';
import { InstanceAccessModule } from '../access/instance-access.module';
import { CryptoModule } from '../crypto/crypto.module';
import { BackupsConfigController } from './backups-config.controller';
import { BackupsConfigRepository } from './backups-config.repository';
import { BackupsConfigService } from './backups-config.service';

@Module({
  imports: [InstanceAccessModule, CryptoModule],
  controllers: [BackupsConfigController],
  providers: [BackupsConfigRepository, BackupsConfigService],
  exports: [BackupsConfigRepository, BackupsConfigService],
})
export class BackupsConfigModule {}
