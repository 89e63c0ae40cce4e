import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module';
import { StorageModule } from '../storage/storage.module';
import { ArchivedLog } from './archived-log';
import { PitrDataModule } from './pitr-data.module';

/** The archived log a worker replays on a base backup (restores to a moment, verification). */
@Module({
  imports: [CryptoModule, StorageModule, PitrDataModule],
  providers: [ArchivedLog],
  exports: [ArchivedLog],
})
export class PitrReplayModule {}
