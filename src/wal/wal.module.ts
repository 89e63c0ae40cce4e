import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module';
import { StorageModule } from '../storage/storage.module';
import { WalArchiver } from './wal-archiver.service';
import { WalRepository } from './wal.repository';

/** Continuous archiving of PostgreSQL instances' write-ahead log, in the worker. */
@Module({
  imports: [CryptoModule, StorageModule],
  providers: [WalRepository, WalArchiver],
})
export class WalModule {}
