import { Module } from '@nestjs/common';
import { InstancesDataModule } from '../instances/instances-data.module';
import { PitrDataModule } from './pitr-data.module';
import { InstanceAccessModule } from '../access/instance-access.module';
import { AdminPitrController } from './admin-pitr.controller';
import { AdminWalArchiveController } from './admin-wal-archive.controller';
import { PitrController } from './pitr.controller';
import { PitrService } from './pitr.service';

/**
 * Point-in-time recovery, the API's side: the window of a continuous-archiving instance (public
 * API), and its archive's state for operators (admin API).
 */
@Module({
  imports: [InstanceAccessModule, InstancesDataModule, PitrDataModule],
  controllers: [PitrController, AdminPitrController, AdminWalArchiveController],
  providers: [PitrService],
  exports: [PitrService],
})
export class PitrModule {}
