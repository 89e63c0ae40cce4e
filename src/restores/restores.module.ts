import { Module } from '@nestjs/common';
import { RestoresDataModule } from './restores-data.module';
import { BackupsModule } from '../backups/backups.module';
import { InstanceAccessModule } from '../access/instance-access.module';
import { AdminInstanceRestoresController } from './admin-instance-restores.controller';
import { InstancesModule } from '../instances/instances.module';
import { JobsModule } from '../jobs/jobs.module';
import { PitrModule } from '../pitr/pitr.module';
import { RestoresController } from './restores.controller';
import { RestoresService } from './restores.service';

/** Public API: put a backup back into its instance (or fork it into another), and follow how it goes. */
@Module({
  imports: [
    InstanceAccessModule,
    JobsModule,
    BackupsModule,
    InstancesModule,
    PitrModule,
    RestoresDataModule,
  ],
  controllers: [RestoresController, AdminInstanceRestoresController],
  providers: [RestoresService],
  exports: [RestoresService],
})
export class RestoresModule {}
