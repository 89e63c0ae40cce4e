import { Module } from '@nestjs/common';
import { BackupsModule } from '../backups/backups.module';
import { AuthModule } from '../core/auth/auth.module';
import { StorageModule } from '../storage/storage.module';
import { DownloadsController } from './downloads.controller';
import { DownloadsService } from './downloads.service';

@Module({
  imports: [AuthModule, BackupsModule, StorageModule],
  controllers: [DownloadsController],
  providers: [DownloadsService],
})
export class DownloadsModule {}
