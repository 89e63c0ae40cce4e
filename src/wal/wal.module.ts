import { Module } from '@nestjs/common';
import { BackupsWorkerModule } from '../backups/backups-worker.module';
import { CryptoModule } from '../crypto/crypto.module';
import { WorkerQueuesModule } from '../jobs/worker-queues.module';
import { StorageModule } from '../storage/storage.module';
import { WalArchiver } from './wal-archiver.service';
import { WalSlotsModule } from './wal-slots.module';
import { WalRepository } from './wal.repository';

/** Continuous archiving of PostgreSQL instances' write-ahead log, in the worker. */
@Module({
  imports: [CryptoModule, StorageModule, WorkerQueuesModule, BackupsWorkerModule, WalSlotsModule],
  providers: [WalRepository, WalArchiver],
})
export class WalModule {}
