import { Module } from '@nestjs/common';
import { InstanceAccessModule } from '../access/instance-access.module';
import { InstancesRepository } from '../instances/instances.repository';
import { AdminWalArchiveController } from './admin-wal-archive.controller';
import { PitrController } from './pitr.controller';
import { PitrRepository } from './pitr.repository';
import { PitrService } from './pitr.service';

/**
 * Point-in-time recovery, the API's side: the window of a continuous-archiving instance (public
 * API), and its archive's state for operators (admin API).
 */
@Module({
  imports: [InstanceAccessModule],
  controllers: [PitrController, AdminWalArchiveController],
  providers: [PitrRepository, PitrService, InstancesRepository],
  exports: [PitrService],
})
export class PitrModule {}
