import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { PitrDataModule } from '../pitr/pitr-data.module';
import { WorkersDataModule } from '../workers/workers-data.module';
import { FleetController } from './fleet.controller';
import { FleetRepository } from './fleet.repository';

/** The admin API's fleet summary, the dashboard's first page in one request. */
@Module({
  imports: [JobsModule, PitrDataModule, WorkersDataModule],
  controllers: [FleetController],
  providers: [FleetRepository],
})
export class FleetModule {}
