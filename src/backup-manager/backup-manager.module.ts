import { Module } from '@nestjs/common';
import { BackupsConfigModule } from '../backups-config/backups-config.module';
import { BackupsModule } from '../backups/backups.module';
import { InstancesModule } from '../instances/instances.module';
import { RestoresModule } from '../restores/restores.module';
import { StorageModule } from '../storage/storage.module';
import { BackupManagerController } from './backup-manager.controller';
import { BackupManagerGuard } from './backup-manager.guard';
import { BackupManagerService } from './backup-manager.service';

/** The a9s Backup Manager API for platform components, under /backup-manager. */
@Module({
  imports: [BackupsModule, BackupsConfigModule, RestoresModule, InstancesModule, StorageModule],
  controllers: [BackupManagerController],
  providers: [BackupManagerGuard, BackupManagerService],
})
export class BackupManagerModule {}
