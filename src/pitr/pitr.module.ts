import { Module } from '@nestjs/common';
import { InstanceAccessModule } from '../access/instance-access.module';
import { PitrController } from './pitr.controller';
import { PitrRepository } from './pitr.repository';
import { PitrService } from './pitr.service';

/** Public API: the point-in-time window of a continuous-archiving instance. */
@Module({
  imports: [InstanceAccessModule],
  controllers: [PitrController],
  providers: [PitrRepository, PitrService],
  exports: [PitrService],
})
export class PitrModule {}
