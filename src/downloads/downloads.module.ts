import { Module } from '@nestjs/common';
import { BackupsModule } from '../backups/backups.module';
import { InstanceAccessModule } from '../access/instance-access.module';
import { StorageModule } from '../storage/storage.module';
import { DownloadsController } from './downloads.controller';
import { DownloadsService } from './downloads.service';

@Module({
  imports: [InstanceAccessModule, BackupsModule, StorageModule],
  controllers: [DownloadsController],
  providers: [DownloadsService],
})
export class DownloadsModule {}
