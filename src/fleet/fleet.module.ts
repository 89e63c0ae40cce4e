import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { PitrDataModule } from '../pitr/pitr-data.module';
import { WorkersDataModule } from '../workers/workers-data.module';
import { FleetController } from './fleet.controller';
import { FleetRepository } from './fleet.repository';
import { TokenFleetController } from './token-fleet.controller';
import { TokensModule } from '../tokens/tokens.module';

/**
 * The fleet summary, the dashboard's first page in one request: every instance for the operator
 * (`/admin/v1/fleet`), a token's own instances for it (`/v1/fleet`).
 */
@Module({
  imports: [JobsModule, PitrDataModule, TokensModule, WorkersDataModule],
  controllers: [FleetController, TokenFleetController],
  providers: [FleetRepository],
})
export class FleetModule {}
